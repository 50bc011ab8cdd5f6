"""Years written in Chinese numerals ("二〇一九年"), read by the crawler in list titles and
by the extractor in titles and text.

A year is written digit by digit, and 〇 is also typed as ○, 零 or a Latin or full-width
letter O; cn2an reads none of those zero spellings but 〇 and 零 (and costs 0.2 s to import
on every crawler start), so a digit map reads them. Only years of this era (19xx, 20xx)
followed by 年 are read: "一二三四年" stays as it is.
"""

from __future__ import annotations

import re

_ZEROS = "〇○零OＯ"
CN_DIGITS: dict[str, str] = {
    **dict.fromkeys(_ZEROS, "0"),
    **dict(zip("一二三四五六七八九", "123456789", strict=True)),
}
_DIGIT = f"[{_ZEROS}一二三四五六七八九]"
_CN_YEAR = re.compile(rf"(?:一九|二[{_ZEROS}]){_DIGIT}{{2}}(?=\s*年)")


def arabic_years(text: str) -> str:
    """二〇〇八年 → 2008年, so one year pattern serves both spellings."""
    return _CN_YEAR.sub(lambda m: "".join(CN_DIGITS[ch] for ch in m[0]), text)
