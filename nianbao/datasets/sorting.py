"""Sorting Arrow tables the way every dataset is written: fast on millions of rows."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def sort_table(table: pa.Table, keys: tuple[str, ...] | list[str]) -> pa.Table:
    """Rows ordered by `keys` ascending, nulls last. Strings are sorted through their
    (small) dictionaries, several times faster than comparing millions of strings, with
    the same result; a table already in order is returned as is, without a copy."""
    ranks = {name: _sort_key(table[name]) for name in keys}
    indices = pc.sort_indices(pa.table(ranks), sort_keys=[(name, "ascending") for name in ranks])
    identity = pa.array(np.arange(len(indices), dtype=np.uint64))
    if pc.all(pc.equal(indices, identity)).as_py() is not False:
        return table
    return table.combine_chunks().take(indices)


def _sort_key(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """An integer that sorts like a string column (nulls stay null), or the column itself."""
    if not pa.types.is_string(column.type):
        return column
    encoded = pc.dictionary_encode(column.combine_chunks())
    rank = pc.rank(encoded.dictionary, sort_keys="ascending", tiebreaker="dense")
    return pc.take(rank, encoded.indices)
