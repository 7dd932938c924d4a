"""The schema as the storage layer keeps it: types, properties, indexes, and value checks."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..exceptions import ArcadeDBError, SchemaError, ValidationError
from ..rid import RID
from ..vocabulary import CONSTRAINTS, FLAG_CONSTRAINTS, PROPERTY_TYPES

_INT_RANGES = {
    "BYTE": (-(1 << 7), (1 << 7) - 1),
    "SHORT": (-(1 << 15), (1 << 15) - 1),
    "INTEGER": (-(1 << 31), (1 << 31) - 1),
    "LONG": (-(1 << 63), (1 << 63) - 1),
}


@dataclass
class PropertyDef:
    name: str
    type: str
    of_type: str | None = None
    mandatory: bool = False
    notnull: bool = False
    readonly: bool = False
    min: Any = None
    max: Any = None
    default: Any = None
    regexp: str | None = None

    def constraints(self) -> dict[str, Any]:
        # The ones set: not None, and for the flags not False (a default of 0 or False is set).
        values = {k: getattr(self, k) for k in CONSTRAINTS}
        return {k: v for k, v in values.items()
                if v is not None and not (v is False and k in FLAG_CONSTRAINTS)}  # fmt: skip


@dataclass
class IndexDef:
    name: str
    type_name: str
    properties: tuple[str, ...]
    unique: bool
    kind: str = "LSM_TREE"
    null_strategy: str = "SKIP"
    #: An LSM_VECTOR index's configuration (dimensions, similarity, quantization ...)
    vector: dict[str, Any] | None = None


@dataclass
class TypeDef:
    id: int
    name: str
    kind: str
    supertypes: list[str] = field(default_factory=list)
    properties: dict[str, PropertyDef] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    # Derived by Catalog.rebuild():
    all_properties: dict[str, PropertyDef] = field(default_factory=dict)
    ancestors: frozenset[str] = frozenset()
    polymorphic: list[TypeDef] = field(default_factory=list)
    indexes: list[IndexDef] = field(default_factory=list)
    checked: bool = False
    # Unique indexes declared on a type with subtypes span several tables, while SQLite enforces
    # uniqueness per table: (index, the other tables' types) to check on every write.
    unique_elsewhere: list[tuple[IndexDef, list[TypeDef]]] = field(default_factory=list)

    @property
    def table(self) -> str:
        return f"t{self.id}"

    def is_a(self, name: str) -> bool:
        return name == self.name or name in self.ancestors


_CATALOG_VERSIONS = itertools.count(1)


class Catalog:
    """All types, properties and indexes, with derived lookups rebuilt after each change."""

    def __init__(self) -> None:
        self.types: dict[str, TypeDef] = {}
        self.by_id: dict[int, TypeDef] = {}
        self.indexes: dict[str, IndexDef] = {}
        self.version = next(_CATALOG_VERSIONS)

    def add_type(self, type_def: TypeDef) -> None:
        self.types[type_def.name] = type_def
        self.by_id[type_def.id] = type_def

    def get(self, name: str, kind: str | None = None, *, sql: str | None = None) -> TypeDef:
        """The type named ``name`` (of kind ``kind`` when given), else a SchemaError naming it:
        the one type lookup and its wording. ``sql`` (the words after the name, maybe empty)
        asks for the wording of ArcadeDB's SQL: "Type with name 'X' was not found"."""
        type_def = self.types.get(name)
        if type_def is None:
            if sql is not None:
                raise SchemaError(f"Type with name '{name}' was not found{sql}")
            raise SchemaError(f"Type '{name}' does not exist")
        if kind is not None and type_def.kind != kind:
            raise SchemaError(f"Type '{name}' is a {type_def.kind} type, not a {kind} type")
        return type_def

    def rebuild(self) -> None:
        """Recompute inherited properties, ancestor sets, subtype lists and applicable indexes."""
        self.version = next(_CATALOG_VERSIONS)  # query plans made for older versions are stale
        for type_def in self.types.values():
            type_def.ancestors = frozenset(self._ancestors(type_def.name, set()))
        for type_def in self.types.values():
            props: dict[str, PropertyDef] = {}
            for ancestor in self._linearize(type_def):
                props.update(ancestor.properties)
            type_def.all_properties = props
            type_def.polymorphic = [
                t for t in self.types.values() if t is type_def or type_def.name in t.ancestors
            ]
            type_def.indexes = [
                ix for ix in self.indexes.values() if type_def.is_a(ix.type_name)
            ]
            type_def.checked = bool(props)
        for type_def in self.types.values():
            type_def.unique_elsewhere = []
            for ix in type_def.indexes:
                others = [t for t in self.types[ix.type_name].polymorphic if t is not type_def]
                if ix.unique and others:
                    type_def.unique_elsewhere.append((ix, others))

    def _ancestors(self, name: str, seen: set[str]) -> set[str]:
        for parent in self.types[name].supertypes:
            if parent in self.types and parent not in seen:
                seen.add(parent)
                self._ancestors(parent, seen)
        return seen

    def _linearize(self, type_def: TypeDef) -> list[TypeDef]:
        order: list[TypeDef] = []
        for parent in type_def.supertypes:
            if parent in self.types:
                for t in self._linearize(self.types[parent]):
                    if t not in order:
                        order.append(t)
        order.append(type_def)
        return order


# --- value checks -------------------------------------------------------------------------


def validate(type_def: TypeDef, props: dict[str, Any], old: dict[str, Any] | None) -> dict:
    """Apply defaults, convert declared types losslessly, enforce constraints; returns props.

    ``old`` is the stored state for an update (None for an insert).
    """
    declared = type_def.all_properties
    for name, prop in declared.items():
        present = name in props
        if not present and old is None and prop.default is not None:
            props[name] = _default_value(prop)
            present = True
        if not present:
            if prop.mandatory:
                raise ValidationError(
                    f"Property '{type_def.name}.{name}' is mandatory, but the record has no value"
                )
            if prop.readonly and old is not None and old.get(name) is not None:
                raise ValidationError(f"Property '{type_def.name}.{name}' is read-only")
            continue
        value = props[name]
        if value is None:
            if prop.notnull:
                raise ValidationError(f"Property '{type_def.name}.{name}' cannot be null")
        else:
            value = props[name] = convert(prop, value, type_def.name)
            _check_bounds(prop, value, type_def.name)
        # As in ArcadeDB: once saved, the value may not change (absent counts as null).
        if prop.readonly and old is not None and old.get(name) != value:
            raise ValidationError(f"Property '{type_def.name}.{name}' is read-only")
    return props


def _default_value(prop: PropertyDef) -> Any:
    value = prop.default
    if isinstance(value, str) and value.lower() in ("sysdate()", "now()"):
        return dt.datetime.now()
    if isinstance(value, (list, dict)):
        return copy.deepcopy(value)  # every record gets its own, never the catalog's object
    return value


def _check_bounds(prop: PropertyDef, value: Any, type_name: str) -> None:
    if prop.min is None and prop.max is None and prop.regexp is None:
        return
    measured = len(value) if isinstance(value, (str, bytes, list, dict)) else value
    where = f"'{type_name}.{prop.name}'"
    try:
        if prop.min is not None and measured < convert_bound(prop, prop.min):
            raise ValidationError(f"Value {value!r} of {where} is below the minimum {prop.min}")
        if prop.max is not None and measured > convert_bound(prop, prop.max):
            raise ValidationError(f"Value {value!r} of {where} is above the maximum {prop.max}")
    except TypeError:
        raise ValidationError(
            f"Value {value!r} of {where} cannot be compared with its bounds"
        ) from None
    if prop.regexp is not None and isinstance(value, str) and not re.fullmatch(prop.regexp, value):
        raise ValidationError(f"Value {value!r} of {where} does not match /{prop.regexp}/")


def convert_bound(prop: PropertyDef, bound: Any) -> Any:
    if prop.type in ("STRING", "BINARY", "LIST", "MAP", "EMBEDDED"):
        return int(bound)
    if prop.type in ("DATE", "DATETIME") and isinstance(bound, str):
        return _parse_temporal(prop.type, bound)
    return bound


def convert(prop: PropertyDef, value: Any, type_name: str) -> Any:
    """Convert ``value`` to the declared type when no information is lost, else error."""
    kind = prop.type
    try:
        result = _CONVERTERS[kind](value, prop)
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        result = _MISMATCH
    if result is _MISMATCH:
        raise ValidationError(
            f"Property '{type_name}.{prop.name}' is declared {kind}"
            f"{' OF ' + prop.of_type if prop.of_type else ''}: cannot store {value!r} "
            f"({type(value).__name__}) there"
        )
    return result


_MISMATCH = object()


_INT_TEXT = re.compile(r"\s*[-+]?\d+\s*")


def _to_int(value: Any, prop: PropertyDef) -> Any:
    low, high = _INT_RANGES[prop.type]
    if isinstance(value, bool):
        return _MISMATCH
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        number = int(value)
    elif isinstance(value, str) and _INT_TEXT.fullmatch(value):
        number = int(value)
    else:
        return _MISMATCH
    return number if low <= number <= high else _MISMATCH


def _to_float(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, bool):
        return _MISMATCH
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        return float(value) if abs(value) <= (1 << 53) else _MISMATCH
    if isinstance(value, Decimal):
        number = float(value)
        return number if Decimal(number) == value else _MISMATCH
    if isinstance(value, str):
        return float(value)
    return _MISMATCH


def _to_decimal(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, bool):
        return _MISMATCH
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        return Decimal(value.strip())
    return _MISMATCH


def _to_bool(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return _MISMATCH


def _to_str(value: Any, prop: PropertyDef) -> Any:
    return value if isinstance(value, str) else _MISMATCH


def _to_binary(value: Any, prop: PropertyDef) -> Any:
    return bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else _MISMATCH


def _parse_temporal(kind: str, text: str) -> Any:
    text = text.strip()
    if kind == "DATE":
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else _MISMATCH
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _to_date(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() and value.tzinfo is None else _MISMATCH
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip())
    return _MISMATCH


def _to_datetime(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return _parse_temporal("DATETIME", value)
    return _MISMATCH


def _to_embedded(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, dict):
        return value
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if to_dict is not None and not hasattr(value, "__arcadelite_rid__") else (
        _MISMATCH
    )


def _element_prop(prop: PropertyDef) -> PropertyDef | None:
    if prop.of_type and prop.of_type.upper() in PROPERTY_TYPES:
        return PropertyDef(prop.name, prop.of_type.upper())
    return None


def _to_list(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        items = list(value.tolist())
    else:
        return _MISMATCH
    element = _element_prop(prop)
    if element is not None:
        items = [None if v is None else _checked(_CONVERTERS[element.type](v, element)) for v in items]
    return items


def _to_map(value: Any, prop: PropertyDef) -> Any:
    if not isinstance(value, dict):
        return _MISMATCH
    element = _element_prop(prop)
    if element is not None:
        return {
            k: None if v is None else _checked(_CONVERTERS[element.type](v, element))
            for k, v in value.items()
        }
    return value


def _to_link(value: Any, prop: PropertyDef) -> Any:
    if isinstance(value, (RID, str)) or hasattr(value, "get_identity"):
        try:
            return RID.parse(value)
        except ArcadeDBError:  # malformed text, unsaved record: a mismatch naming the property
            return _MISMATCH
    return _MISMATCH


def _to_float_array(value: Any, prop: PropertyDef) -> Any:
    items = value.tolist() if hasattr(value, "tolist") else value
    if not isinstance(items, (list, tuple)):
        return _MISMATCH
    if all(type(v) is float for v in items):  # the common case (embeddings): 30x faster
        return list(items)
    return [_checked(_to_float(v, prop)) for v in items]


def _checked(value: Any) -> Any:
    if value is _MISMATCH:
        raise TypeError("element mismatch")
    return value


_CONVERTERS = {
    "BOOLEAN": _to_bool,
    "BYTE": _to_int,
    "SHORT": _to_int,
    "INTEGER": _to_int,
    "LONG": _to_int,
    "FLOAT": _to_float,
    "DOUBLE": _to_float,
    "DECIMAL": _to_decimal,
    "STRING": _to_str,
    "BINARY": _to_binary,
    "DATE": _to_date,
    "DATETIME": _to_datetime,
    "EMBEDDED": _to_embedded,
    "LIST": _to_list,
    "MAP": _to_map,
    "LINK": _to_link,
    "ARRAY_OF_FLOATS": _to_float_array,
}
