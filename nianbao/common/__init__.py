"""Facts the crawler, the extractor and the datasets share, each declared once.

Only the standard library and small parsers are imported here, so the crawler and the
extractor can use these modules without loading each other (or pyarrow).
"""
