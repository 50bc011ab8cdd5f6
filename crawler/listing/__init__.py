"""List-page parsers, one small module per CMS family, plus the report-title classifier.

Each parser is a pure function of (url, text) that returns a `ListResult`: the entries it
saw and the further list URLs (pagination) to fetch. The spider turns them into requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One link on a list page: a candidate report (or a sub-column when `is_column`)."""

    url: str
    title: str
    date: str | None = None
    is_column: bool = False
    hints: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ListRequest:
    """A further list request (next page, dataproxy group, API page)."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    family: str = "auto"


@dataclass
class ListResult:
    family: str
    entries: list[Entry] = field(default_factory=list)
    follow: list[ListRequest] = field(default_factory=list)
    # The entries are also in the list API this page loads (follow), which says more about
    # each (索引号, 文号): fetch them from the API reply, and from here only as a fallback.
    api_first: bool = False

    def extend(self, other: ListResult) -> None:
        seen = {e.url for e in self.entries}
        self.entries.extend(e for e in other.entries if e.url not in seen)
        seen_req = {(r.url, r.body) for r in self.follow}
        self.follow.extend(r for r in other.follow if (r.url, r.body) not in seen_req)
