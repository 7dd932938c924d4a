"""``to_java_float_array`` / ``to_python_array``, kept for programs written for the bindings.

There is no Java here: a "Java float array" is a list of Python floats holding float32 values
(what a JFloat array reads back as), so ``[0.1]`` becomes ``[0.10000000149011612]``. Works without
numpy; numpy arrays are accepted.
"""

from __future__ import annotations

import array
from typing import Any

from ..exceptions import VectorError


def to_java_float_array(vector: Any) -> list[float]:
    """A list, tuple, numpy array or any iterable of numbers -> list of float32-valued floats."""
    if vector is None or isinstance(vector, (str, bytes, dict)):
        raise VectorError(f"Expected a list of numbers, got {type(vector).__name__}")
    tolist = getattr(vector, "tolist", None)
    items = tolist() if tolist is not None else list(vector)
    for position, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise VectorError(
                f"Vector component {position} is {item!r} ({type(item).__name__}), not a number"
            )
    try:
        return array.array("f", items).tolist()
    except OverflowError as exc:
        raise VectorError(f"A vector component is out of float32 range: {exc}") from None


def to_python_array(vector: Any, use_numpy: bool = True) -> Any:
    """A stored vector back as numpy float32 (when asked and installed) or a list of floats."""
    items = list(vector) if hasattr(vector, "__iter__") else [vector]
    if use_numpy:
        try:
            import numpy as np
        except ImportError:
            return items
        return np.asarray(items, dtype=np.float32)
    return items
