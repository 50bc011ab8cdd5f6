"""The schema machinery: fields, tables, and what they derive.

PUDL's lesson: a field and a table are declared once (the declarations are in
`nianbao.datasets.tables`), and from the declaration come the pyarrow schema used to write
Parquet, the validation run before every write, the Frictionless schema and the data
dictionary people read. Nothing else in nianbao spells out a column's type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nianbao.datasets.sorting import sort_table

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "strings": pa.list_(pa.string()),
}
_FRICTIONLESS_TYPES = {
    "string": "string",
    "int32": "integer",
    "int64": "integer",
    "float64": "number",
    "bool": "boolean",
    "date": "date",
    "timestamp": "datetime",
    "strings": "array",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SchemaError(ValueError):
    """A table about to be written breaks its declaration; nothing is written."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    en: str
    zh: str
    unit: str | None = None
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.type]

    def frictionless(self) -> dict[str, Any]:
        type_ = _FRICTIONLESS_TYPES[self.type]
        if type_ == "integer" and not self.required:
            # Frictionless reads Parquet through pandas, where an integer column with nulls
            # becomes float with NaN; "number" accepts that, "integer" does not.
            type_ = "number"
        out: dict[str, Any] = {
            "name": self.name,
            "type": type_,
            "description": f"{self.en} / {self.zh}",
        }
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        if self.unit:
            out["unit"] = self.unit
        return out


@dataclass(frozen=True)
class Table:
    name: str
    en: str
    zh: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    partition_by: str | None = "year"
    sort_by: tuple[str, ...] = field(default=())

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(f.name, f.arrow_type, nullable=not f.required) for f in self.fields]
        )

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def order(self) -> tuple[str, ...]:
        """Row order on disk: partition, then the declared sort, then the primary key."""
        keys = [self.partition_by] if self.partition_by else []
        for name in (*self.sort_by, *self.primary_key):
            if name not in keys:
                keys.append(name)
        return tuple(keys)

    def conform(self, table: pa.Table) -> pa.Table:
        """Cast to the declared schema, in declared column order; unknown columns refuse."""
        missing = [n for n in self.column_names if n not in table.column_names]
        extra = [n for n in table.column_names if n not in self.column_names]
        if missing or extra:
            raise SchemaError(f"{self.name}: missing columns {missing}, undeclared columns {extra}")
        arrays = []
        for f in self.fields:
            column = table[f.name]
            if column.type != f.arrow_type:
                try:
                    column = column.cast(f.arrow_type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise SchemaError(
                        f"{self.name}.{f.name}: cannot cast to {f.type}: {exc}"
                    ) from exc
            arrays.append(column)
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def sort(self, table: pa.Table) -> pa.Table:
        return sort_table(table, self.order)

    def validate(self, table: pa.Table) -> None:
        """Refuse nulls in required fields, values outside enums and ranges, duplicate keys.

        Expects a conformed table sorted by `order` (duplicates are then adjacent)."""
        problems: list[str] = []
        for f in self.fields:
            column = table[f.name]
            if f.required and column.null_count:
                problems.append(f"{f.name}: {column.null_count} null values in a required field")
            if f.enum is not None and len(column):
                bad = pc.filter(column, pc.invert(pc.is_in(column, pa.array(f.enum))))
                bad = [v for v in pc.unique(bad).to_pylist() if v is not None]
                if bad:
                    problems.append(f"{f.name}: values {bad[:5]} not in {list(f.enum)}")
            if (f.minimum is not None or f.maximum is not None) and len(column):
                low, high = pc.min_max(column).values()
                if f.minimum is not None and low.is_valid and low.as_py() < f.minimum:
                    problems.append(f"{f.name}: minimum {low.as_py()} < {f.minimum}")
                if f.maximum is not None and high.is_valid and high.as_py() > f.maximum:
                    problems.append(f"{f.name}: maximum {high.as_py()} > {f.maximum}")
        for name in self.primary_key:
            if table[name].null_count:
                problems.append(f"primary key {name}: {table[name].null_count} null values")
        if table.num_rows > 1 and not problems:
            same = None
            for name in self.primary_key:
                column = table[name]
                eq = pc.equal(column.slice(1), column.slice(0, len(column) - 1))
                same = eq if same is None else pc.and_(same, eq)
            duplicates = pc.sum(pc.cast(same, pa.int64())).as_py() if same is not None else 0
            if duplicates:
                problems.append(f"primary key {list(self.primary_key)}: {duplicates} duplicates")
        if problems:
            raise SchemaError(f"{self.name}: " + "; ".join(problems))

    def prepare(self, table: pa.Table) -> pa.Table:
        """Conform, sort and validate: what every write goes through."""
        prepared = self.sort(self.conform(table))
        self.validate(prepared)
        return prepared

    def empty(self) -> pa.Table:
        return self.schema.empty_table()

    def frictionless(self) -> dict[str, Any]:
        return {
            "fields": [f.frictionless() for f in self.fields],
            "primaryKey": list(self.primary_key),
        }


def iso_date(value: Any) -> date | None:
    """A YYYY-MM-DD date, or None for anything else (a bad date is no reason to fail)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
