"""Record identities: ``#bucket:position``."""

from __future__ import annotations

import re
from typing import Any

from .compat import RIDJavaNames
from .exceptions import ArcadeDBError

_RID_TEXT = re.compile(r"^#(\d+):(\d+)$")

#: RIDs are packed into one SQLite integer as ``bucket << POSITION_BITS | position``.
POSITION_BITS = 40
_POSITION_MASK = (1 << POSITION_BITS) - 1
_MAX_BUCKET = 1 << (63 - POSITION_BITS)  # a packed RID is a signed 64-bit SQLite integer


class RID(RIDJavaNames):
    """A record identity (treat as immutable); ``str(rid)`` is ``"#bucket:position"``."""

    __slots__ = ("bucket_id", "position")

    def __init__(self, bucket_id: int, position: int) -> None:
        self.bucket_id = bucket_id
        self.position = position

    @classmethod
    def parse(cls, value: Any) -> RID:
        """Accept a RID, a ``"#b:p"`` string or a record; anything else is an error naming it."""
        if isinstance(value, RID):
            return value
        if isinstance(value, str):
            match = _RID_TEXT.match(value.strip())
            if match:
                bucket, position = int(match.group(1)), int(match.group(2))
                if bucket >= _MAX_BUCKET or position > _POSITION_MASK:
                    raise ArcadeDBError(
                        f"RID {value!r} is out of range: buckets go up to {_MAX_BUCKET - 1}, "
                        f"positions up to {_POSITION_MASK}"
                    )
                return cls(bucket, position)
            raise ArcadeDBError(f"Malformed RID {value!r}: expected '#bucket:position', e.g. '#1:0'")
        identity = getattr(value, "get_identity", None)
        if identity is not None:
            rid = identity()
            if rid is None:
                raise ArcadeDBError(f"Record {value!r} has no RID yet: save it first")
            return rid
        raise ArcadeDBError(f"Expected a RID ('#bucket:position'), got {type(value).__name__}")

    @classmethod
    def from_int(cls, packed: int) -> RID:
        """The RID of a packed integer (see ``pack_rid``)."""
        return cls(packed >> POSITION_BITS, packed & _POSITION_MASK)

    def to_int(self) -> int:
        """This RID packed into one integer (see ``pack_rid``)."""
        return (self.bucket_id << POSITION_BITS) | self.position

    def get_bucket_id(self) -> int:
        return self.bucket_id

    def get_position(self) -> int:
        return self.position

    def __str__(self) -> str:
        return f"#{self.bucket_id}:{self.position}"

    def __repr__(self) -> str:
        return f"RID('{self}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RID):
            return self.bucket_id == other.bucket_id and self.position == other.position
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.bucket_id, self.position))

    def __lt__(self, other: RID) -> bool:
        return (self.bucket_id, self.position) < (other.bucket_id, other.position)


# --- packed RIDs: the only place that knows the bit layout ----------------------------------


def pack_rid(bucket_id: int, position: int) -> int:
    """``#bucket:position`` as one integer; packed RIDs of a bucket sort by position."""
    return (bucket_id << POSITION_BITS) | position


def unpack_rid(packed: int) -> tuple[int, int]:
    """(bucket, position) of a packed RID."""
    return packed >> POSITION_BITS, packed & _POSITION_MASK


def bucket_of(packed: int) -> int:
    """The bucket of a packed RID."""
    return packed >> POSITION_BITS


def bucket_base(bucket_id: int) -> int:
    """The packed RID of position 0 of a bucket: packed = base + position."""
    return bucket_id << POSITION_BITS


def bucket_range(bucket_id: int) -> tuple[int, int]:
    """[low, high): the packed RIDs of every position of a bucket."""
    return bucket_id << POSITION_BITS, (bucket_id + 1) << POSITION_BITS
