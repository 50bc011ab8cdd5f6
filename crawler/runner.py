"""Library entry: `run_crawl(...)` starts one crawl process (crawler.crawl_process), watches
it and returns its summary.

With a job directory the run is resumable: `jobdir/state.json` keeps the run id until the
crawl finishes, so a crawl killed at any point (even SIGKILL) and started again with the same
job directory continues the same run. Nothing is lost or duplicated because progress lives
in the manifest (append-only part files, renamed into place) and the raw store (content-
addressed): the restarted crawl re-reads the lists, asks conditionally for the pages it
already kept (304) and fetches only the rest. Scrapy's own JOBDIR is not used for this: its
request queue is only saved on a graceful shutdown.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.lifeline import child_env
from crawler.sources import Source, sources_from_rows, write_sources

logger = logging.getLogger(__name__)


class CrawlError(RuntimeError):
    """The crawl process could not run or produced no summary."""


@dataclass
class CrawlSummary:
    run_id: str
    new_documents: int = 0
    changed_documents: int = 0
    pages: int = 0
    reports: int = 0
    attachments: int = 0
    errors: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    blocked_sources: list[str] = field(default_factory=list)
    failed_sources: list[str] = field(default_factory=list)
    truncated_sources: list[str] = field(default_factory=list)
    incomplete_sources: list[str] = field(default_factory=list)
    finish_reason: str = "unknown"
    monitors_passed: bool = False
    messages: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    exit_code: int = 1

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def default_job(jobdir: Path | None) -> str:
    """Workers of one Redis crawl share a job name: the job directory's, else today's date.

    The job's queue and duplicate filter stay in Redis after the crawl (a late worker must
    not redo the work), so the next crawl cycle needs a new name.
    """
    return jobdir.name if jobdir else datetime.now(UTC).strftime("crawl-%Y%m%d")


def _resume_state(jobdir: Path) -> dict[str, Any]:
    state_file = jobdir / "state.json"
    if state_file.exists():
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if not state.get("finished"):
            logger.info("resuming run %s from %s", state["run_id"], jobdir)
            return state
    state = {"run_id": new_run_id(), "finished": False}
    jobdir.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps(state), encoding="utf-8")
    return state


def _sources_file(sources: Path | list[dict[str, Any]], workdir: Path) -> Path:
    if isinstance(sources, Path | str):
        return Path(sources).resolve()
    parsed: list[Source] = sources_from_rows(list(sources))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"sources-{uuid.uuid4().hex[:8]}.yaml"
    write_sources(parsed, path)
    return path


def crawl_command(
    sources_file: Path,
    data_dir: Path,
    run_id: str,
    *,
    redis_url: str | None = None,
    job: str = "default",
    throttle: bool = True,
    settings: dict[str, Any] | None = None,
) -> list[str]:
    """The subprocess command line of one crawl (also used to start extra workers)."""
    command = [
        sys.executable,
        "-m",
        "crawler.crawl_process",
        "--sources",
        str(sources_file),
        "--data-dir",
        str(Path(data_dir).resolve()),
        "--run-id",
        run_id,
        "--job",
        job,
        "--settings-json",
        json.dumps(settings or {}),
    ]
    if redis_url:
        command += ["--redis", redis_url]
    if not throttle:
        command.append("--no-throttle")
    return command


def parse_summary(stdout: str, returncode: int, run_id: str) -> CrawlSummary:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise CrawlError(f"crawl {run_id} exited with {returncode} and printed no summary")
    data = json.loads(lines[-1])
    known = set(CrawlSummary.__dataclass_fields__)
    summary = CrawlSummary(**{k: v for k, v in data.items() if k in known})
    summary.exit_code = returncode
    return summary


@dataclass
class CrawlProcess:
    """A crawl running in its own process (see `start_crawl`)."""

    run_id: str
    popen: subprocess.Popen[str]
    jobdir: Path | None
    state: dict[str, Any]

    def wait(self, timeout: float | None = None) -> CrawlSummary:
        stdout, stderr = self.popen.communicate(timeout=timeout)
        code = self.popen.returncode
        if code not in (0, 1):
            tail = "\n".join(stderr.splitlines()[-20:])
            raise CrawlError(f"crawl {self.run_id} failed with exit code {code}:\n{tail}")
        summary = parse_summary(stdout, code, self.run_id)
        if self.jobdir:
            self.state["finished"] = True
            (self.jobdir / "state.json").write_text(json.dumps(self.state), encoding="utf-8")
        return summary


def start_crawl(
    sources: Path | list[dict[str, Any]],
    data_dir: Path,
    *,
    jobdir: Path | None = None,
    redis_url: str | None = None,
    throttle: bool = True,
    settings: dict[str, Any] | None = None,
    job: str | None = None,
) -> CrawlProcess:
    """Start one crawl process (a Redis worker when `redis_url` is given) without waiting."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    jobdir = Path(jobdir) if jobdir else None
    state = _resume_state(jobdir) if jobdir else {"run_id": new_run_id()}
    run_id = state["run_id"]
    sources_file = _sources_file(sources, jobdir or data_dir / "jobs" / run_id)
    command = crawl_command(
        sources_file,
        data_dir,
        run_id,
        redis_url=redis_url,
        job=job or default_job(jobdir),
        throttle=throttle,
        settings=settings,
    )
    env = child_env({**os.environ, "PYTHONUNBUFFERED": "1"})  # it dies with this process
    popen = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    return CrawlProcess(run_id, popen, jobdir, state)


def run_crawl(
    sources: Path | list[dict[str, Any]],
    data_dir: Path,
    *,
    jobdir: Path | None = None,
    redis_url: str | None = None,
    throttle: bool = True,
    settings: dict[str, Any] | None = None,
    job: str | None = None,
    timeout: float | None = None,
) -> CrawlSummary:
    """Crawl every source into `data_dir` and return the run's summary (see module doc)."""
    process = start_crawl(
        sources,
        data_dir,
        jobdir=jobdir,
        redis_url=redis_url,
        throttle=throttle,
        settings=settings,
        job=job,
    )
    return process.wait(timeout)
