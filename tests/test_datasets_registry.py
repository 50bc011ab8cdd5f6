"""The schema registry: validation before every write, the data dictionary, Frictionless."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.datasets import records as rec
from nianbao.datasets.dictionary import DICTIONARY_PATH, render
from nianbao.datasets.registry import TABLES
from nianbao.datasets.release import publish
from nianbao.datasets.schema import SchemaError
from nianbao.datasets.tables.national import APPLICATIONS
from nianbao.datasets.tables.reports import REPORTS
from tests.datasets_helpers import corpus_store, gold_tables
from tests.gold_records import assemble, record_from_gold
from tests.test_datasets_build import read


def test_data_dictionary_is_up_to_date() -> None:
    """Regenerate with `python -m nianbao.datasets.dictionary` when this fails."""
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render()


def test_dictionary_names_every_column_in_both_languages() -> None:
    text = render()
    assert "| `page_url` | string |" in text
    assert "报告所述年度（统计期限，非发布年份）" in text
    assert "| `denied_process` | 不予公开：属于四类过程性信息 |" in text


def test_fixed_column_names_for_outside_tools() -> None:
    assert {"report_id", "year", "page_url", "url", "status"} <= set(REPORTS.column_names)
    for name in ("proactive", "applications", "review_litigation"):
        assert {"report_id", "row_key", "column_key", "value", "raw"} <= set(
            TABLES[name].column_names
        )


def _cells(**overrides) -> pa.Table:
    rows = gold_tables()["applications"].slice(0, 3).to_pylist()
    for row in rows:
        row.update(overrides)
    return pa.Table.from_pylist(rows, schema=APPLICATIONS.schema)


def test_validation_refuses_duplicate_primary_keys() -> None:
    table = _cells()
    doubled = pa.concat_tables([table, table.slice(0, 1)])
    with pytest.raises(SchemaError, match="duplicates"):
        APPLICATIONS.prepare(doubled)


def test_validation_refuses_nulls_enums_and_unknown_columns() -> None:
    with pytest.raises(SchemaError, match="row_key: 3 null"):
        APPLICATIONS.prepare(_cells(row_key=None))
    with pytest.raises(SchemaError, match="format: values \\['2022'\\]"):
        APPLICATIONS.prepare(_cells(format="2022"))
    with pytest.raises(SchemaError, match="year: minimum 1999"):
        APPLICATIONS.prepare(_cells(year=1999))
    with pytest.raises(SchemaError, match="undeclared columns \\['note'\\]"):
        APPLICATIONS.prepare(_cells().append_column("note", pa.array(["x"] * 3)))


def test_invalid_table_is_never_published(tmp_path: Path) -> None:
    tables = gold_tables()
    publish(tables, tmp_path)
    first = (tmp_path / "datasets").resolve()
    bad = dict(tables, applications=pa.concat_tables([tables["applications"]] * 2))
    with pytest.raises(SchemaError):
        publish(bad, tmp_path)
    assert (tmp_path / "datasets").resolve() == first


def test_frictionless_validates_the_published_package(tmp_path: Path) -> None:
    corpus_store(tmp_path)
    from nianbao.workflow import rebuild

    assert rebuild(tmp_path).ok
    package = tmp_path / "datasets" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert {"reports-2024", "applications-2019", "documents-2023", "crawl_runs"} <= names
    frictionless = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(frictionless), "validate", "--json", package.name],
        cwd=package.parent,
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(done.stdout)
    errors = [e["message"] for task in report["tasks"] for e in task["errors"]]
    assert report["valid"], errors[:5]
    assert done.returncode == 0


# Agencies: one id whatever the parent place printed before the name.
PLACES = st.sampled_from(["淮安市", "莆田市", "苏州市", "江苏省淮安市", "福建省莆田市"])
LOWER = st.sampled_from(["洪泽区", "城厢区", "沭阳县", "涵江区"])
OFFICES = st.sampled_from(
    ["人民政府", "发展和改革局", "城市管理局", "市场监督管理局", "人民政府办公室"]
)


@given(PLACES, LOWER, OFFICES)
def test_agency_id_ignores_the_parent_place(parent: str, lower: str, office: str) -> None:
    assert rec.agency_id("320813", parent + lower + office) == rec.agency_id(
        "320813", lower + office
    )
    assert rec.canonical_agency(rec.canonical_agency(lower + office)) == rec.canonical_agency(
        lower + office
    )


@given(PLACES, OFFICES)
def test_agency_of_a_city_keeps_its_own_name(city: str, office: str) -> None:
    name = city + office
    assert rec.canonical_agency(name).endswith(office)
    assert rec.canonical_agency(" " + name + "\u3000") == rec.canonical_agency(name)


def test_city_bureaus_are_not_mistaken_for_places() -> None:
    assert rec.canonical_agency("莆田市城市管理局") == "莆田市城市管理局"
    assert rec.canonical_agency("泉州市市场监督管理局") == "泉州市市场监督管理局"
    assert rec.canonical_agency("淮安市洪泽区人民政府") == "洪泽区人民政府"


def _gold_inputs():
    import hashlib

    from tests.datasets_helpers import CORPUS, FETCHED_AT, corpus_ids, site_of, sources

    docs, records = [], {}
    for doc_id in corpus_ids():
        gold = json.loads((CORPUS / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))
        sha = hashlib.sha256(doc_id.encode()).hexdigest()
        records[sha] = record_from_gold(gold, source=doc_id, sha256=sha, version="gold")
        docs.append(
            {
                "source_id": site_of(doc_id),
                "url": f"http://x/{doc_id}",
                "page_url": None,
                "kind": "page",
                "sha256": sha,
                "fetched_at": FETCHED_AT,
            }
        )
    return docs, records, {s["id"]: s for s in sources()}


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_assembly_is_independent_of_document_order(rnd) -> None:
    docs, records, sources = _gold_inputs()
    expected, _ = assemble(docs, records, sources)
    rnd.shuffle(docs)
    shuffled, _ = assemble(docs, records, sources)
    for name, table in expected.items():
        spec = TABLES[name]
        assert spec.prepare(table).equals(spec.prepare(shuffled[name])), name


def test_cells_keep_raw_text_location_and_refuse_fractions() -> None:
    record = {
        "formats": {"applications": "2021"},
        "applications": {
            "new_received": {
                "total": {
                    "value": 162,
                    "raw": "1\n62",
                    "loc": {"table": 2, "page": 3, "row": 4, "col": 9},
                },
                "natural_person": {"value": 1.5, "raw": "1.5", "loc": {}},
                "commercial": {"value": 0, "raw": "/", "loc": {}, "derived": True},
            }
        },
    }
    rows = {r["column_key"]: r for r in rec.matrix_rows("applications", "r1", "a1", 2024, record)}
    assert rows["total"]["value"] == 162 and rows["total"]["raw"] == "1\n62"
    assert (rows["total"]["source_page"], rows["total"]["source_row"]) == (3, 4)
    assert rows["natural_person"]["value"] is None and rows["natural_person"]["raw"] == "1.5"
    assert (
        rows["commercial"]["derived"]
        and rows["commercial"]["row_label"] == "本年新收政府信息公开申请数量"
    )


def test_published_reports_read_back(tmp_path: Path) -> None:
    publish(gold_tables(), tmp_path)
    reports = read(tmp_path, "reports")
    assert reports.num_rows == 22
    assert reports.schema.field("year").type == pa.int32()


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)


@given(st.dictionaries(st.sampled_from(["total", "natural_person", "commercial"]), CELL_VALUES))
def test_any_cell_value_becomes_a_count_or_null(cells: dict) -> None:
    """Whatever the extractor hands over, a row comes out: integers kept, the rest null."""
    record = {"applications": {"granted": {k: {"value": v, "raw": "x"} for k, v in cells.items()}}}
    rows = rec.matrix_rows("applications", "r", "a", 2024, record)
    assert len(rows) == len(cells)
    for row in rows:
        value = cells[row["column_key"]]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
            assert row["value"] == value
        else:
            assert row["value"] is None
    table = pa.Table.from_pylist(rows, schema=APPLICATIONS.schema)
    assert table.num_rows == len(cells)


@given(CELL_VALUES)
def test_any_proactive_value_becomes_a_number_or_null(value) -> None:
    record = {"proactive": [{"item": "fees", "metric": "amount", "value": value, "raw": "x"}]}
    (row,) = rec.proactive_rows("r", "a", 2024, record)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        assert row["value"] == float(value)
    else:
        assert row["value"] is None
    assert row["unit"] == "万元" and row["row_label"] == "行政事业性收费"


def test_implausible_years_and_unknown_formats_do_not_block_publication(tmp_path: Path) -> None:
    import hashlib

    from tests.datasets_helpers import CORPUS, FETCHED_AT

    gold = json.loads((CORPUS / "gold" / "js-huaian-2024.json").read_text(encoding="utf-8"))
    sha = hashlib.sha256(b"odd").hexdigest()
    record = record_from_gold(gold, source="odd.pdf", sha256=sha, version="gold")
    record["year"], record["formats"]["applications"] = 1024, "2099"
    doc = {
        "source_id": "odd",
        "url": "http://odd/1.pdf",
        "page_url": None,
        "kind": "attachment",
        "sha256": sha,
        "fetched_at": FETCHED_AT,
        "year": 3024,
    }
    tables, _ = assemble([doc], {sha: record}, {"odd": {"level": "galaxy"}})
    publish(tables, tmp_path)
    (report,) = read(tmp_path, "reports").to_pylist()
    assert report["year"] is None and report["level"] is None
    assert report["applications_format"] is None and report["proactive_format"] == "2021"
    assert set(read(tmp_path, "applications")["format"].to_pylist()) == {None}


def test_repeated_rows_are_kept_apart() -> None:
    record = {
        "proactive": [
            {"item": "extra", "metric": "decisions", "label": "行政检查", "value": 3, "raw": "3"},
            {"item": "extra", "metric": "decisions", "label": "行政检查", "value": 5, "raw": "5"},
        ],
        "checks": [
            {
                "name": "applications.balance",
                "table": "applications",
                "column": "total",
                "passed": True,
                "left": 1,
                "right": 1,
                "left_expr": "a",
                "right_expr": "b",
            },
        ]
        * 2,
    }
    labels = [r["row_label"] for r in rec.proactive_rows("r", "a", 2024, record)]
    assert labels == ["行政检查", "行政检查#2"]
    keys = [r["check_key"] for r in rec.check_rows("r", "a", 2024, record)]
    assert keys == [
        "in_report:applications:applications.balance::total",
        "in_report:applications:applications.balance::total#2",
    ]
