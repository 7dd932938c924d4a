"""The model: records, results, the record factory, and the Store they hold.

Layers (each imports only those below it)::

    public API   database.py (a Database is the Store) · schema · transactions · bulk/ · io/ · cli
    languages    sql/ (text -> AST)
    query        query/ (AST -> plans -> rows); runs against a Store, builds records here
    model        model/: records.py (Document, Vertex, Edge), results.py (Result, ResultSet),
                 factory.py (stored rows -> records: the one place), store.py (the Store
                 protocol), serialize.py (the JSON fallback for values orjson cannot write)
    storage      storage/ (SQLite)

Decisions: records reach storage only through their Store (a Database), never through the public
API module; the query engine holds the same Store, so ``IMPORT DATABASE`` reaches the dump
restore (io/, above it) through ``Store._import_dump``. Records' slots (``_props``, ``_rid`` ...)
are read directly by the layers above on hot paths: they are this layer's interface, the methods
are the users'.

The package imports none of its modules (``import arcadelite`` loads only those it uses: the
Store protocol, for one, exists for the type checker).
"""
