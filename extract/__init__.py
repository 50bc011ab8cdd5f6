"""Read published annual reports into the canonical record of SCHEMA.md."""

__version__ = "0.1.0"
