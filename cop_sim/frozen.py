"""Read-only nested settings: a resolved scenario that reads like a dict and cannot be changed.

:class:`Frozen` is a ``dict`` and :class:`FrozenList` a ``list``, so JSON, hashing, ``==`` and every
``resolved["cop"]["members"]`` read work as on plain containers; only changing them raises
``TypeError``. A deep copy (``copy.deepcopy``, :func:`thaw`) is plain and mutable, which is what
``params.merge`` needs to derive a new scenario from a frozen one. Pickling keeps them frozen.
"""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(self, *args, **kwargs) -> NoReturn:
    raise TypeError(f"a resolved scenario is read-only ({type(self).__name__}); derive a new one instead")


class Frozen(dict):
    """A dict whose items cannot be set, deleted or updated (values are frozen too)."""

    __slots__ = ()
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self):
        return Frozen, (dict(self),)

    def __copy__(self) -> Frozen:
        return self

    def __deepcopy__(self, memo: dict) -> dict:
        return thaw(self)

    def __hash__(self) -> int:  # type: ignore[override]
        raise TypeError("unhashable type: 'Frozen'")


class FrozenList(list):
    """A list that cannot be changed in place (items are frozen too)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self):
        return FrozenList, (list(self),)

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict) -> list:
        return thaw(self)


def freeze(value: Any) -> Any:
    """A read-only copy of nested dicts and lists (other values are kept as they are)."""
    if isinstance(value, Frozen | FrozenList):
        return value
    if isinstance(value, dict):
        return Frozen({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable copy of nested dicts and lists (what ``copy.deepcopy`` gives for them)."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value
