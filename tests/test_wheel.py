"""The wheel stands alone: installed (not editable) in a fresh venv, away from the source
tree, `nianbao demo` serves the documents the wheel carries and publishes Parquet (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import pytest

from tests.test_demo import _free_port

ROOT = Path(__file__).resolve().parents[1]


def _fresh_venv(path: Path, wheel: Path) -> Path:
    """A venv holding only the wheel; its dependencies are this interpreter's site-packages,
    added by a path line (a .pth's plain path line does not run that directory's own .pth
    files, so an editable install of nianbao there stays invisible)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run([*pip, "--no-deps", "--no-index", str(wheel)], check=True)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path / "bin"


@pytest.mark.slow
def test_demo_runs_from_the_wheel_in_a_fresh_venv(tmp_path: Path) -> None:
    # built from a copy of what the wheel is made of: a stale build/ in the tree would add
    # files the tree no longer has
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        (source / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for name in ("nianbao", "extract", "crawler"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels)]
    subprocess.run([*build, str(source)], check=True, cwd=tmp_path)
    (wheel,) = wheels.glob("nianbao-*.whl")
    bin_dir = _fresh_venv(tmp_path / "venv", wheel)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import nianbao.demo; print(nianbao.demo.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout.strip()
    assert where.startswith(str(tmp_path / "venv"))  # not the source tree
    assert (Path(where).parent / "documents" / "docs" / "js-hongze-2023.pdf").is_file()

    data = tmp_path / "data"
    args = ["demo", "--data-dir", str(data), "--reports", "6", "--port", str(_free_port())]
    demo = subprocess.run(
        [str(bin_dir / "nianbao"), *args], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    reports = data / "datasets" / "reports"
    count, ok, made_up = (
        duckdb.connect()
        .execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'ok'), "
            "count(*) FILTER (WHERE agency_name LIKE '示例%') "
            f"FROM read_parquet('{reports}/**/*.parquet', hive_partitioning = true)"
        )
        .fetchone()
    )
    # the late site's 2024 report is pictures, read by OCR from the wheel's own models
    assert (count, ok, made_up) == (31, 31, 13)
