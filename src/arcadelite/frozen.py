"""Frozen value classes without dataclasses' import-time cost (AST nodes, the query IR).

``@frozen`` on a subclass of ``Frozen`` reads like ``@dataclass(frozen=True, slots=True)`` and
gives the same interface (construction by position or keyword with defaults, immutability,
equality and hashing by value, repr, pattern matching, ``replace``, copy and pickle), with one
generic ``__init__`` instead of code generated and compiled per class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

_F = TypeVar("_F", bound="Frozen")


class FrozenError(AttributeError):
    """Raised on an attempt to change a field of a frozen value (it is immutable)."""


class Frozen:
    """Base of frozen value classes: construction, immutability, equality, hashing, repr and
    copying by field values, as a frozen slotted dataclass has them.

    ``@frozen`` only records a class's fields (its annotations, in order) and their defaults and
    gives it slots: no per-class code is generated (dataclasses' ``exec`` of an ``__init__`` per
    class cost ~25 ms of import time for the SQL AST alone).
    """

    __slots__ = ()
    _defaults: dict[str, object] = {}  # a class's field defaults (set by @_node)

    def __init__(self, *args: object, **kwargs: object) -> None:
        names: tuple[str, ...] = self.__slots__
        if len(args) > len(names):
            raise TypeError(
                f"{self.__class__.__name__}() takes {len(names)} positional arguments "
                f"but {len(args)} were given"
            )
        setter = object.__setattr__
        for name, value in zip(names, args):
            setter(self, name, value)
        if len(args) < len(names) or kwargs:
            defaults = self._defaults
            for name in names[len(args) :]:
                if name in kwargs:
                    setter(self, name, kwargs.pop(name))
                elif name in defaults:
                    setter(self, name, defaults[name])
                else:
                    raise TypeError(f"{self.__class__.__name__}() is missing argument {name!r}")
            if kwargs:
                raise TypeError(
                    f"{self.__class__.__name__}() got unexpected or repeated arguments "
                    f"{sorted(kwargs)}"
                )

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(
            f"cannot assign to field {name!r}: {self.__class__.__name__} is immutable"
        )

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"cannot delete field {name!r}: {self.__class__.__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return _values(self) == _values(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.__class__, _values(self)))

    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return self.__class__, _values(self)  # copy and pickle rebuild through __init__


def replace(node: _F, **changes: object) -> _F:
    """A copy of a node with some fields changed (as ``dataclasses.replace``)."""
    names: tuple[str, ...] = node.__slots__
    values: dict[str, object] = {name: getattr(node, name) for name in names}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{node.__class__.__name__} has no field(s) {sorted(unknown)}")
    values.update(changes)
    return node.__class__(**values)


def _make_frozen(cls: type) -> type:
    """The @frozen decorator: cls (a Frozen subclass) rebuilt with a slot per annotated field (in order), its
    defaults recorded, ``__match_args__`` for pattern matching."""
    namespace = dict(cls.__dict__)
    names = tuple(namespace.get("__annotations__", {}))
    defaults = {name: namespace.pop(name) for name in names if name in namespace}
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = names
    namespace["__match_args__"] = names
    namespace["_defaults"] = defaults
    return type(cls)(cls.__name__, cls.__bases__, namespace)


def _values(item: Frozen) -> tuple[object, ...]:
    names: tuple[str, ...] = item.__slots__
    return tuple([getattr(item, name) for name in names])


if TYPE_CHECKING:  # how the checker reads @frozen: a frozen dataclass (see Frozen)
    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")

    @dataclass_transform(frozen_default=True, eq_default=False)
    def frozen(cls: type[_T]) -> type[_T]: ...

else:
    frozen = _make_frozen


__all__ = ["Frozen", "FrozenError", "frozen", "replace"]
