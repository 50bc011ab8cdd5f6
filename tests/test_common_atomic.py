"""The one write-to-temp-then-rename helper: the target holds the old content or the new,
and nothing is left beside it, whether the write succeeds or fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nianbao.common import atomic


def test_write_replaces_the_whole_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "sources.json"
    target.write_text("old", encoding="utf-8")
    atomic.write_text(target, "莆田市城市管理局")
    atomic.write_bytes(tmp_path / "raw.pdf", b"%PDF-1.7", fsync=True)
    assert target.read_text(encoding="utf-8") == "莆田市城市管理局"
    assert (tmp_path / "raw.pdf").read_bytes() == b"%PDF-1.7"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.pdf", "sources.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic.replacing(target) as tmp:
        tmp.write_text("half a reco", encoding="utf-8")
        raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_a_symlink_is_switched_in_one_rename(tmp_path: Path) -> None:
    """What publish does with the `datasets` link: readers see one release or the other."""
    (tmp_path / "r1").mkdir()
    (tmp_path / "r2").mkdir()
    link = tmp_path / "datasets"
    os.symlink("r1", link)
    with atomic.replacing(link) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".datasets.")
        os.symlink("r2", tmp)
    assert os.readlink(link) == "r2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["datasets", "r1", "r2"]


def test_two_writers_of_one_target_get_temporaries_of_their_own(tmp_path: Path) -> None:
    target = tmp_path / "holder.json"
    with atomic.replacing(target) as first, atomic.replacing(target) as second:
        assert first != second
        first.write_text("a", encoding="utf-8")
        second.write_text("b", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "a"  # the outer block ends last
