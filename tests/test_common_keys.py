"""keys.csv, the one home of the SCHEMA.md keys' labels: every key the extractor yields has
its label there, and the readable view, the datasets and the printed layouts show it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from extract import labels as L
from nianbao.cli import cli
from nianbao.common.keys import keys, labels, units
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("table", "axis", "declared"),
    [
        ("proactive", "item", L.PROACTIVE_ITEMS),
        ("proactive", "metric", L.PROACTIVE_METRICS),
        ("applications", "row", L.APPLICATION_ROWS),
        ("applications", "column", L.APPLICANT_COLUMNS),
        ("review_litigation", "row", L.REVIEW_GROUPS),
        ("review_litigation", "column", L.REVIEW_COLUMNS),
        ("legacy", "indicator", L.LEGACY_INDICATORS),
    ],
)
def test_every_key_the_extractor_yields_has_a_label(table: str, axis: str, declared: dict) -> None:
    assert set(declared) <= set(labels(table, axis))


def test_labels_as_schema_md_prints_them_with_their_group() -> None:
    rows = labels("applications", "row")
    assert rows["denied_state_secret"] == "不予公开：属于国家秘密"
    assert rows["other_misc"] == "其他处理：其他"
    assert labels("proactive", "metric")["decisions"] == "处理决定数量"
    assert units("proactive", "metric")["amount"] == "万元"
    assert units("applications", "column")["total"] is None
    assert len({(k.table, k.axis, k.key) for k in keys()}) == len(keys())  # no key twice


def test_the_readable_view_shows_the_keys_csv_labels() -> None:
    result = CliRunner().invoke(cli, ["extract", str(CORPUS / "docs/fj-putian-cgj-2024.html")])
    assert result.exit_code == 0
    rows = {line[:14].strip(): line[14:].split() for line in result.stdout.splitlines()}
    assert rows["无法提供：本机关不掌握相"] == ["12", "0", "0", "0", "0", "0", "12"]
    assert rows["行政事业性收费"] == ["金额（万元）", "397.59"]
