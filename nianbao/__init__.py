"""nianbao: annual reports on open government information into one dataset."""

from extract import __version__

__all__ = ["__version__"]
