"""The rows storage hands out: a stored record as it comes out of its table.

A row is a plain tuple of a fixed layout, read by unpacking it with these names (never by index):

``Row``: ``(pos, body, tags)``: the position in its type's table (the RID position), the JSON
body and codec tags (``codec.decode_record(body, tags)`` gives the properties); an edge's row
adds its ends as packed RIDs (``rid.unpack_rid``): ``(pos, body, tags, out_rid, in_rid)``.

``ScanRow``: ``(type_id, pos, body, tags, out_rid, in_rid)``: a row of a compiled query scan
(``storage.query``), over the tables of a type and its subtypes (the ends None but for edges).

Why not a NamedTuple: measured with callgrind, building one per row and reading it by attribute
cost ~3,300 instructions per record more on ``iterate_type`` (+25% of the read), and the record
factory reads every row of every scan; plain tuples are what SQLite's cursor hands over (and two
NULL ends on every other row still cost ~350 instructions per record there).
"""

from __future__ import annotations

RecordRow = tuple[int, str, "str | None"]
EdgeRow = tuple[int, str, "str | None", int, int]
Row = RecordRow | EdgeRow
ScanRow = tuple[int, int, str, "str | None", "int | None", "int | None"]


__all__ = ["EdgeRow", "RecordRow", "Row", "ScanRow"]
