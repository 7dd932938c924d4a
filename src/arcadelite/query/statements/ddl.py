"""Schema statements: CREATE/ALTER/DROP/TRUNCATE TYPE, CREATE/ALTER/DROP PROPERTY, CREATE/DROP/
REBUILD INDEX. Each answers one row, as ArcadeDB does; the catalog changes go through storage's
DDL (never inside a statement savepoint: schema changes need no transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...exceptions import SchemaError
from ...model.results import Result
from ...sql import ast as a
from ...vocabulary import SQL_INDEX_TYPES, SQL_KIND_WORDS
from ..context import Ctx
from .writes import (
    ddl_result,
)

if TYPE_CHECKING:
    from ..executor import Executor



def _create_type(ex: Executor, stmt: a.CreateType, ctx: Ctx) -> list[Result]:
    kind = SQL_KIND_WORDS[stmt.kind]
    existing = ex.storage.catalog.types.get(stmt.name)
    if existing is not None and stmt.if_not_exists:
        return []
    for parent in stmt.supertypes:
        if parent not in ex.storage.catalog.types:
            raise SchemaError(f"Supertype '{parent}' not found")
    ex.storage.create_type(ex.session, stmt.name, kind, list(stmt.supertypes))
    return ddl_result(operation=f"create {kind} type", typeName=stmt.name, created=True)


def _alter_type(ex: Executor, stmt: a.AlterType, ctx: Ctx) -> list[Result]:
    storage = ex.storage
    ex.type_def(stmt.name)
    attribute = stmt.attribute.upper()
    if attribute == "CUSTOM" or stmt.key is not None:
        value = ex.value(stmt.value, ctx)
        storage.alter_type(ex.session, stmt.name, "custom", (stmt.key, value))
        return ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK",
                           custom=f"{stmt.key}={value}")  # fmt: skip
    values = stmt.value.items if isinstance(stmt.value, a.ListLiteral) else (stmt.value,)
    names = [v.name if isinstance(v, a.Identifier) else ex.value(v, ctx) for v in values]
    if attribute == "NAME":
        storage.alter_type(ex.session, stmt.name, "name", names[0])
        return ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK", name=names[0])
    if attribute == "SUPERTYPE":
        for name in names:
            text = str(name)
            sign = stmt.modifier or ("-" if text.startswith("-") else "+")
            storage.alter_type(ex.session, stmt.name, "supertype", sign + text.lstrip("+-"))
        return ddl_result(operation="ALTER TYPE", typeName=stmt.name, result="OK")
    raise SchemaError(f"ALTER TYPE {attribute} is not supported (use NAME, SUPERTYPE or CUSTOM)")


def _drop_type(ex: Executor, stmt: a.DropType, ctx: Ctx) -> list[Result]:
    if stmt.if_exists and stmt.name not in ex.storage.catalog.types:
        return []
    type_def = ex.storage.catalog.get(stmt.name)
    if not stmt.unsafe and type_def.kind in ("vertex", "edge") and ex.storage.count(
        ex.session, type_def, False
    ):  # fmt: skip
        what = "Vertices" if type_def.kind == "vertex" else "Edges"
        raise SchemaError(
            f"'DROP TYPE' command cannot drop type '{stmt.name}' because it contains {what}. "
            f"Use 'DELETE {what[:-1].upper()}' first, or add the 'UNSAFE' keyword to force it"
        )
    ex.storage.drop_type(ex.session, stmt.name, unsafe=True)
    return ddl_result(operation="drop type", typeName=stmt.name)


def _truncate_type(ex: Executor, stmt: a.TruncateType, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.name)
    targets = type_def.polymorphic if stmt.polymorphic else [type_def]
    total = sum(ex.storage.count(ex.session, t, False) for t in targets)
    if not stmt.unsafe and type_def.kind == "vertex" and total:
        for target in targets:
            if ex.storage.has_edges(ex.session, target):
                raise SchemaError(
                    f"Cannot truncate vertex type '{stmt.name}': its vertices have edges "
                    "(delete them first, or use TRUNCATE TYPE ... UNSAFE)"
                )
    ex.storage.truncate(ex.session, type_def, stmt.polymorphic)
    return ddl_result(operation="truncate type", typeName=stmt.name, count=total)


def _constraint_value(ex: Executor, constraint: a.PropertyConstraint, ctx: Ctx) -> Any:
    node = constraint.value
    if node is None:
        return True
    if constraint.name == "default" and isinstance(node, a.FunctionCall) and not node.args:
        return f"{node.name}()"
    return ex.value(node, ctx)


def _create_property(ex: Executor, stmt: a.CreateProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    row: dict[str, Any] = {"operation": "create property", "typeName": stmt.type_name,
                           "propertyName": stmt.name}  # fmt: skip
    if stmt.of_type is not None:
        row["of"] = stmt.of_type
    if stmt.if_not_exists and stmt.name in type_def.all_properties:
        row["created"] = False
        return [Result(row)]
    if stmt.property_type is None:
        raise SchemaError(f"CREATE PROPERTY {stmt.type_name}.{stmt.name} needs a property type")
    constraints = {c.name: _constraint_value(ex, c, ctx) for c in stmt.constraints}
    ex.storage.create_property(ex.session, stmt.type_name, stmt.name, stmt.property_type,
                               stmt.of_type, False, constraints)  # fmt: skip
    row["created"] = True
    row.update(constraints)
    return [Result(row)]


def _alter_property(ex: Executor, stmt: a.AlterProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    prop = type_def.properties.get(stmt.name)
    if prop is None:
        raise SchemaError(f"Property '{stmt.name}' not found on type {stmt.type_name}")
    attribute = stmt.attribute.lower()
    if stmt.key is not None or attribute == "custom":
        raise SchemaError("ALTER PROPERTY ... CUSTOM is not supported yet")
    node = stmt.value
    if attribute == "type" and isinstance(node, a.Identifier):
        value: Any = node.name
    elif attribute == "default" and isinstance(node, a.FunctionCall) and not node.args:
        value = f"{node.name}()"
    else:
        value = ex.value(node, ctx)
    old = prop.type if attribute == "type" else getattr(prop, attribute, None)
    ex.storage.alter_property(ex.session, stmt.type_name, stmt.name, attribute, value)
    return ddl_result(operation="alter property", type=stmt.type_name, property=stmt.name,
                       attribute=attribute, oldValue=old, newValue=value)  # fmt: skip


def _drop_property(ex: Executor, stmt: a.DropProperty, ctx: Ctx) -> list[Result]:
    type_def = ex.type_def(stmt.type_name)
    if stmt.name not in type_def.properties:
        if stmt.if_exists:
            return []
        raise SchemaError(f"Property '{stmt.name}' not found on type {stmt.type_name}")
    using = [ix.name for ix in ex.storage.catalog.indexes.values()
             if ix.type_name == stmt.type_name and stmt.name in ix.properties]  # fmt: skip
    ex.storage.drop_property(ex.session, stmt.type_name, stmt.name, force=stmt.force)
    rows = [Result({"operation": "cascade drop index", "indexName": n}) for n in using]
    rows.append(Result({"operation": "drop property", "typeName": stmt.type_name,
                        "propertyName": stmt.name}))  # fmt: skip
    return rows


def _create_index(ex: Executor, stmt: a.CreateIndex, ctx: Ctx) -> list[Result]:
    catalog = ex.storage.catalog
    type_def = ex.type_def(stmt.type_name)
    if stmt.index_type == "LSM_VECTOR":
        return _create_vector_index(ex, stmt, ctx)
    kind = SQL_INDEX_TYPES.get(stmt.index_type)
    if kind is None:
        raise SchemaError(f"Index type '{stmt.index_type}' is not supported: use UNIQUE, "
                          "NOTUNIQUE or FULL_TEXT")  # fmt: skip
    if any(by is not None for by in stmt.by):
        raise SchemaError("Indexes BY KEY / BY VALUE / BY ITEM are not supported yet")
    name = stmt.name or f"{stmt.type_name}[{','.join(stmt.properties)}]"
    existing = catalog.indexes.get(name) or next(
        (ix for ix in catalog.indexes.values()
         if ix.type_name == stmt.type_name and ix.properties == tuple(stmt.properties)), None)  # fmt: skip
    if existing is not None:
        if stmt.if_not_exists:
            return []
        raise SchemaError(f"Index '{existing.name}' already exists")
    unique, index_kind = kind
    ex.storage.create_index(ex.session, stmt.type_name, list(stmt.properties), unique, index_kind,
                            False, name, stmt.null_strategy or "SKIP")  # fmt: skip
    total = sum(ex.storage.count(ex.session, t, False) for t in type_def.polymorphic)
    return ddl_result(operation="create index", name=name, type=index_kind, totalIndexed=total)


#: The METADATA keys of an LSM_VECTOR index (the seed era's), by their Python keyword.
_VECTOR_METADATA = {
    "dimensions": "dimensions", "similarity": "similarity", "quantization": "quantization",
    "maxconnections": "max_connections", "beamwidth": "beam_width",
    "neighboroverflowfactor": "neighborOverflowFactor",
    "alphadiversityrelaxation": "alphaDiversityRelaxation", "idpropertyname": "idPropertyName",
    "locationcachesize": "locationCacheSize", "graphbuildcachesize": "graphBuildCacheSize",
    "mutationsbeforerebuild": "mutationsBeforeRebuild", "storevectorsingraph": "storeVectorsInGraph",
    "addhierarchy": "addHierarchy", "efsearch": "efSearch", "pqsubspaces": "pqSubspaces",
    "pqclusters": "pqClusters", "pqcenterglobally": "pqCenterGlobally",
    "pqtraininglimit": "pqTrainingLimit",
}  # fmt: skip


def _create_vector_index(ex: Executor, stmt: a.CreateIndex, ctx: Ctx) -> list[Result]:
    """``CREATE INDEX ON T (p) LSM_VECTOR METADATA {dimensions: 3, similarity: 'COSINE' ...}``;
    SQL's quantization defaults to NONE (the Python API's to INT8), as in the seed era."""
    from ..vectors import vector_config

    type_def = ex.type_def(stmt.type_name)
    if stmt.metadata is None:
        raise SchemaError("LSM_VECTOR index requires METADATA with dimensions (and optionally "
                          "similarity, quantization, maxConnections, beamWidth)")
    if len(stmt.properties) != 1:
        raise SchemaError("An LSM_VECTOR index covers exactly one property")
    metadata = ex.value(stmt.metadata, ctx)
    unknown = sorted(k for k in metadata if str(k).lower() not in _VECTOR_METADATA)
    if unknown:  # the seed era ignores them silently (even distanceFunction): say so instead
        raise SchemaError(f"Unsupported LSM_VECTOR metadata key(s) {unknown}: supported are "
                          f"{sorted(set(_VECTOR_METADATA.values()))}")
    settings = {_VECTOR_METADATA[str(k).lower()]: v for k, v in metadata.items()}
    if "dimensions" not in settings:
        raise SchemaError("LSM_VECTOR index METADATA needs 'dimensions'")
    config = vector_config(
        settings.pop("dimensions"), settings.pop("similarity", "COSINE"),
        settings.pop("quantization", None), settings.pop("max_connections", 16),
        settings.pop("beam_width", 100), **settings)
    name = stmt.name or f"{stmt.type_name}[{stmt.properties[0]}]"
    existing = ex.storage.catalog.indexes.get(name)
    if existing is not None:
        if stmt.if_not_exists:
            return []
        raise SchemaError(f"Index '{existing.name}' already exists")
    ex.storage.create_index(ex.session, stmt.type_name, list(stmt.properties), False,
                            "LSM_VECTOR", False, name, vector=config)  # fmt: skip
    total = sum(ex.storage.count(ex.session, t, False) for t in type_def.polymorphic)
    return ddl_result(operation="create index", name=name, type="LSM_VECTOR", created=True,
                      totalIndexed=total)


def _drop_index(ex: Executor, stmt: a.DropIndex, ctx: Ctx) -> list[Result]:
    if stmt.name not in ex.storage.catalog.indexes:
        if stmt.if_exists:
            return []
        raise SchemaError(f"Index not found: {stmt.name}")
    vector = ex.storage.catalog.indexes[stmt.name].vector is not None
    ex.storage.drop_index(ex.session, stmt.name)
    if vector:
        from ..vectors import indexes_of

        indexes_of(ex.storage).forget(stmt.name)
    return ddl_result(operation="drop index", indexName=stmt.name)


def _rebuild_index(ex: Executor, stmt: a.RebuildIndex, ctx: Ctx) -> list[Result]:
    name = stmt.name or "*"
    ex.storage.rebuild_index(ex.session, name)
    catalog = ex.storage.catalog
    names = list(catalog.indexes) if name == "*" else [name]
    total = 0
    for index_name in names:
        index = catalog.indexes[index_name]
        total += sum(ex.storage.count(ex.session, t, False)
                     for t in catalog.get(index.type_name).polymorphic)  # fmt: skip
    return ddl_result(operation="rebuild index", indexName=name, totalIndexed=total)


HANDLERS: dict[type, Callable[[Executor, Any, Ctx], list[Result]]] = {
    a.CreateType: _create_type,
    a.AlterType: _alter_type,
    a.DropType: _drop_type,
    a.TruncateType: _truncate_type,
    a.CreateProperty: _create_property,
    a.AlterProperty: _alter_property,
    a.DropProperty: _drop_property,
    a.CreateIndex: _create_index,
    a.DropIndex: _drop_index,
    a.RebuildIndex: _rebuild_index,
}


__all__ = ['HANDLERS']
