"""The repository carries its own knowledge: nothing in it points outside it.

A reader of a checkout has only the checkout: a comment citing a file on someone's
machine, a command running a script beside the repository or a broken link in the docs
leaves them without what they were sent to read.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Paths that only exist on a developer's machine, searched in the bytes of every tracked
# file (a PDF's link annotations too). Spelled in pieces so that this file does not match
# itself; a path inside a URL ("gov.cn/home/…") is preceded by a word character and does
# not count.
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./" + "shared",
            r"(?:\.\./)+" + r"(?:work|root|home|Users)/",
            r"(?<![\w.:/~-])/" + r"(?:work|root|home/[\w.-]+|Users/[\w.-]+)/",
        ]
    ).encode()
)
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def tracked() -> list[Path]:
    """Every file git tracks (a checkout without git cannot be checked)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in out.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file as text, or None for a binary file (NUL bytes, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def test_no_tracked_file_refers_outside_the_repository() -> None:
    found = []
    for path in tracked():
        data = path.read_bytes() if path.is_file() else b""
        for match in OUTSIDE.finditer(data):
            line = data.count(b"\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0).decode('latin-1')}")
    assert not found


def test_the_pattern_finds_what_it_is_for() -> None:
    def outside(text: str) -> bool:
        return OUTSIDE.search(text.encode()) is not None

    assert outside("python ../" + "shared/tools/score.py")
    assert outside("see /" + "work/wt/legacy/tests")
    assert outside("/URI(../../" + "work/wt/x/)")
    assert outside("cd /" + "home/alice/nianbao")
    assert not outside("http://www.example.gov.cn/home/index/x.html")
    assert not outside("--data-dir /srv/nianbao/data")


def _docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("doc", _docs(), ids=lambda p: p.name)
def test_every_relative_link_of_the_docs_resolves_in_the_repository(doc: Path) -> None:
    broken = []
    for match in MARKDOWN_LINK.finditer(doc.read_text(encoding="utf-8")):
        target = match.group(1)
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:  # a web address or "#anchor"
            continue
        resolved = (doc.parent / unquote(parts.path)).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(target)
    assert not broken


def test_docs_name_the_portal_facts_the_code_cites() -> None:
    """Code cites docs/portals.md by section: each section cited exists there."""
    headings = set(
        re.findall(r"^#+ (\d+(?:\.\d+)?)\.? ", (ROOT / "docs/portals.md").read_text(), re.M)
    )
    cited = set()
    for path in tracked():
        text = text_of(path) if path.suffix in {".py", ".yaml", ".md"} else None
        for match in re.finditer(r"docs/portals\.md (§[\d.§–\-, ]+)", text or ""):
            cited |= set(re.findall(r"\d+(?:\.\d+)?", match.group(1)))
    assert cited and cited <= headings, sorted(cited - headings)
