"""The data dictionary (docs/data-dictionary.md) and the Frictionless datapackage.json,
both generated from the registry so that neither can drift from what is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nianbao.accuracy import stored as stored_accuracy
from nianbao.common.keys import keys
from nianbao.datasets.registry import TABLES
from nianbao.datasets.schema import Field, Table

DICTIONARY_PATH = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def _resource_name(table: str, path: str, year: int | None) -> str:
    if "=" not in path:
        return table
    return f"{table}-{'unknown' if year is None else year}"


def datapackage(files: dict[str, list[tuple[str, int | None]]]) -> dict[str, Any]:
    """A Frictionless data package: one tabular resource per Parquet file, and the
    extractor's accuracy on the hand-checked corpus (`nianbao accuracy`) as `accuracy`."""
    resources = []
    for name, parts in files.items():
        spec = TABLES[name]
        for path, year in parts:
            resources.append(
                {
                    "name": _resource_name(name, path, year),
                    "path": path,
                    "format": "parquet",
                    "profile": "tabular-data-resource",
                    "title": spec.name,
                    "description": f"{spec.en} / {spec.zh}",
                    "schema": spec.frictionless(),
                }
            )
    return {
        "name": "nianbao",
        "title": "政府信息公开工作年度报告 — annual reports on open government information",
        "licenses": [{"name": "ODC-PDDL-1.0", "title": "Open Data Commons Public Domain"}],
        "accuracy": stored_accuracy(),
        "resources": resources,
    }


def _constraints(f: Field) -> str:
    parts = []
    if f.required:
        parts.append("required 必填")
    if f.enum:
        parts.append("one of 取值 " + ", ".join(f"`{v}`" for v in f.enum))
    if f.minimum is not None:
        parts.append(f"≥ {f.minimum}")
    if f.maximum is not None:
        parts.append(f"≤ {f.maximum}")
    return "; ".join(parts)


def _table_section(spec: Table) -> list[str]:
    lines = [
        f"## `{spec.name}`",
        "",
        f"{spec.en}.",
        "",
        f"{spec.zh}。",
        "",
        f"- Primary key 主键: {', '.join(f'`{k}`' for k in spec.primary_key)}",
        "- Files 文件: "
        + (
            f"`{spec.name}/{spec.partition_by}=YYYY/part-0.parquet` "
            f"(partitioned by {spec.partition_by} 按年度分区)"
            if spec.partition_by
            else f"`{spec.name}/part-0.parquet`"
        ),
        "",
        "| column 列 | type 类型 | unit 单位 | constraints 约束 | description | 说明 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in spec.fields:
        lines.append(
            f"| `{f.name}` | {f.type} | {f.unit or ''} | {_constraints(f)} | {f.en} | {f.zh} |"
        )
    lines.append("")
    return lines


def _keys_section() -> list[str]:
    lines = [
        "## Row and column keys 行键与列键",
        "",
        "The values of `row_key` and `column_key` in the cell tables (SCHEMA.md), with the",
        "Chinese label stored in `row_label` / `column_label`.",
        "",
        "单元格表中 `row_key`、`column_key` 的取值及其中文名称。",
        "",
    ]
    current = None
    for key in keys():
        if (key.table, key.axis) != current:
            current = (key.table, key.axis)
            lines += [
                "",
                f"### `{key.table}` — {key.axis}",
                "",
                "| key 键 | 中文 | English | unit 单位 |",
                "| --- | --- | --- | --- |",
            ]
        lines.append(f"| `{key.key}` | {key.zh} | {key.en} | {key.unit or ''} |")
    lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Data dictionary 数据字典",
        "",
        "Generated from `nianbao/datasets/tables/` by",
        "`python -m nianbao.datasets.dictionary`; do not edit.",
        "本文件由数据表登记册自动生成，请勿手工修改。",
        "",
        "Every dataset is Parquet (zstd) under `DATA_DIR/datasets/`, with a Frictionless",
        "`datapackage.json` beside it. 所有数据集均为 Parquet 格式。",
        "",
    ]
    for spec in TABLES.values():
        lines += _table_section(spec)
    lines += _keys_section()
    return "\n".join(lines).rstrip() + "\n"


def write_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_dictionary())
