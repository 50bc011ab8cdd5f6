"""Cell and line text as printed, shared by the PDF and DOCX readers.

Word processors and PDF writers break a label over several lines ("商业\\n企业"), set
vertical labels one character per line, and justify CJK lines with spaces between
characters. The mapper matches labels as printed, so those breaks and fillers go, while
the numbers stay as they are.
"""

from __future__ import annotations

import re

# CJK ideographs, CJK punctuation, full-width forms: no space belongs between them.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2026"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_BREAK_IN_NUMBER = re.compile(r"(?<=[\d.,])\n+(?=[\d.,])")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[-+]?(\d[\d,]*(\.\d+)?|\.\d+)%?")


def join_cell_text(text: str | None) -> str:
    """Join the lines of one cell (or one paragraph) into the text a reader sees."""
    if not text:
        return ""
    text = text.replace("\u00a0", " ").replace("\u3000", " ")
    text = _BREAK_IN_NUMBER.sub("", text.strip())
    text = _SPACE_NEAR_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def is_digit_figure(text: str) -> bool:
    """True for text written as a figure in digits ("21", "7730.28", "1,024", "5%"), not a
    label; a dash is not one (unlike `normalize.reads_as_number`, which reads it as 0)."""
    return bool(_NUMBER.fullmatch(text.strip()))
