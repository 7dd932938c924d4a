"""The rows storage hands out: a stored record as it comes out of its table."""

from __future__ import annotations

from typing import NamedTuple


class Row(NamedTuple):
    """One stored record: its position in its type's table (the RID position), its JSON body and
    codec tags (``codec.decode_record(body, tags)`` gives the properties); an edge's row adds its
    ends as packed RIDs (``rid.unpack_rid``), None for other kinds."""

    pos: int
    body: str
    tags: str | None
    out_rid: int | None = None
    in_rid: int | None = None


#: A row of a compiled query scan (``storage.query``): ``(type id, pos, body, tags, out_rid,
#: in_rid)``, a plain tuple because scans hand out many (a NamedTuple costs ~0.1 µs a row, a
#: tenth of decoding one); its only reader is ``model.factory.records_from_scan``, which
#: unpacks it by these names.
ScanRow = tuple[int, int, str, str | None, int | None, int | None]


__all__ = ["Row", "ScanRow"]
