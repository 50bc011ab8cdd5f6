"""Names for what went wrong with a request: the keys of a run's errors_by_kind.

The spider counts its own failed requests and the pipelines their failed downloads under
the same names, so one place says what a failure is called.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure


def error_kind(failure: Failure | BaseException) -> str:
    """A short, stable name for what went wrong, used as the errors_by_kind key."""
    value = failure.value if isinstance(failure, Failure) else failure
    if isinstance(value, HttpError):
        return f"http_{value.response.status}"
    if isinstance(value, TimeoutError | TCPTimedOutError | DownloadTimeoutError):
        return "timeout"
    if isinstance(value, DNSLookupError | CannotResolveHostError):
        return "dns"
    if isinstance(value, DownloadConnectionRefusedError):
        return "connection_refused"
    if isinstance(value, DownloadCancelledError):
        return "too_large"  # DOWNLOAD_MAXSIZE cancels the download
    return type(value).__name__.lower()
