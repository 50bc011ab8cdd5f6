"""notebooks/analysis.ipynb is kept without outputs and runs on demo data (real extraction
of the corpus documents), so it never rots."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nianbao.workflow import rebuild
from tests.datasets_helpers import corpus_store

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analysis.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
def test_notebook_executes_on_demo_data(tmp_path: Path, monkeypatch) -> None:
    corpus_store(tmp_path)
    assert rebuild(tmp_path).ok
    monkeypatch.setenv("NIANBAO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 4
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "22" in text.splitlines()[1]  # 22 reports in the demo data
    assert "上海市人民政府办公厅" in text  # its 2019 table does not add up
    assert "保护第三方合法权益" in text or "denied_third_party" in text
    # the longest series of the panel: 莆田市城市管理局 2021–2025 from its tables (and, once
    # the 统计表 and prose are read, 莆田市审计局 2008–2013 from them)
    assert "applications_received" in text and ("table_2021" in text or "legacy" in text)
