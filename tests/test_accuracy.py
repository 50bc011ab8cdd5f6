"""`nianbao accuracy`: the extractor scored against the hand-checked corpus, as stored."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.extractor import extract_path
from nianbao import accuracy
from nianbao.cli import cli
from tests.conftest import CORPUS


def _read(path: Path) -> dict:
    return extract_path(path).to_dict()


def test_the_corpus_scores_what_is_stored() -> None:
    """A change that makes one cell wrong (or right) fails here until it is stored again."""
    figures = accuracy.score(CORPUS, _read).figures()
    assert figures == {k: v for k, v in accuracy.stored()["corpus"].items() if k in figures}
    national = figures["families"]["national"]
    assert (national["cells"], national["nonzero_cells"], national["documents"]) == (2768, 309, 14)
    assert (figures["families"]["legacy"]["cells"], figures["families"]["narrative"]["cells"]) == (
        86,
        32,
    )
    assert figures["all"]["documents_perfect"] == figures["documents"] == 22


def _one_document_corpus(tmp_path: Path, doc_id: str) -> tuple[Path, dict]:
    """A corpus of one real document with its answer file, to edit."""
    with open(CORPUS / "MANIFEST.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["id"] == doc_id)
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "gold").mkdir()
    shutil.copy(CORPUS / row["file"], corpus / row["file"])
    with open(corpus / "MANIFEST.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    answer = json.loads((CORPUS / "gold" / f"{doc_id}.json").read_text(encoding="utf-8"))
    return corpus, answer


def _save(corpus: Path, answer: dict) -> None:
    path = corpus / "gold" / f"{answer['id']}.json"
    path.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")


def test_a_wrong_answer_lowers_the_score_and_is_wrong_without_a_flag(tmp_path: Path) -> None:
    """莆田市城市管理局 2023 passes every check, so a wrong cell there is one nobody sees."""
    corpus, answer = _one_document_corpus(tmp_path, "fj-putian-cgj-2023")
    _save(corpus, answer)
    right = accuracy.score(corpus, _read).families["national"]
    assert (right.cells_right, right.documents_perfect) == (right.cells, 1)

    assert answer["applications"]["new_received"]["natural_person"] == 19
    answer["applications"]["new_received"]["natural_person"] = 18
    _save(corpus, answer)
    result = accuracy.score(corpus, _read)
    national = result.families["national"]
    assert national.cells_right == national.cells - 1
    assert national.nonzero_right == national.nonzero_cells - 1
    assert (national.documents_perfect, national.documents_wrong_unflagged) == (0, 1)
    assert result.families["narrative"].documents_perfect == 1
    assert result.misses == [
        accuracy.Miss(
            "fj-putian-cgj-2023", ("applications", "new_received", "natural_person"), 18, 19
        )
    ]


def test_a_figure_the_answer_does_not_state_is_invented(tmp_path: Path) -> None:
    corpus, answer = _one_document_corpus(tmp_path, "fj-putian-sjj-2009")
    dropped = answer["narrative"].pop(0)
    assert dropped["indicator"] == "proactive_total" and dropped["value"] == 21
    _save(corpus, answer)
    narrative = accuracy.score(corpus, _read).families["narrative"]
    assert (narrative.invented, narrative.documents_perfect) == (1, 0)
    assert narrative.cells_right == narrative.cells == 4


def test_a_wrong_cell_of_a_flagged_report_is_flagged(tmp_path: Path) -> None:
    """上海 2019 fails its row checks: its errors are visible to a user."""
    corpus, answer = _one_document_corpus(tmp_path, "sh-szfbgt-2019")
    answer["applications"]["new_received"]["natural_person"] = 820
    _save(corpus, answer)
    national = accuracy.score(corpus, _read).families["national"]
    assert (national.documents_perfect, national.documents_wrong_unflagged) == (0, 0)


def test_command_prints_the_figures_and_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, answer = _one_document_corpus(tmp_path, "fj-putian-cgj-2023")
    _save(corpus, answer)
    stored = tmp_path / "accuracy.json"
    stored.write_text(json.dumps({"scans": {"documents": 2}}), encoding="utf-8")
    monkeypatch.setattr(accuracy, "STORED", stored)
    result = CliRunner().invoke(cli, ["accuracy", str(corpus), "--write"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    national = next(x for x in lines if "national tables" in x)
    assert "100.00% of   200 cells   100.00% of   23 non-zero    1 of   1 documents" in national
    narrative = next(x for x in lines if "narrative" in x)
    assert "3 cells" in narrative and "0 wrong without a flag  0 invented" in narrative
    assert not any("legacy" in x for x in lines)  # no answer of this corpus has a 统计表
    written = json.loads(stored.read_text(encoding="utf-8"))
    assert written["scans"] == {"documents": 2}  # figures of other corpora are kept
    assert written["corpus"]["families"]["national"]["cells_right_percent"] == 100.0
    assert written["corpus"]["extractor"].startswith("0.1.0+")


def test_command_without_a_corpus_says_where_it_looks(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["accuracy", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no MANIFEST.csv: run from a checkout" in result.output


def test_every_release_carries_the_stored_figures(tmp_path: Path) -> None:
    from nianbao.datasets.release import publish

    release = publish({}, tmp_path)
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert package["accuracy"] == accuracy.stored()
    national = package["accuracy"]["corpus"]["families"]["national"]
    assert (national["cells"], national["cells_right_percent"]) == (2768, 100.0)
