"""Read-only dict and list, for values that many observations share.

A /16 scan has tens of thousands of ports with the same profile (SSH 8.9 on 22, nginx with TLS 1.2 on
443): their JSON facts are identical, so one object serves them all instead of one copy each. A shared
object must never change under one of its users, so these refuse every in-place change. They stay
real `dict`/`list` subclasses, so `json`, orjson, `==` and `isinstance` treat them as the plain types;
a copy (`dict(x)`, `list(x)`, `copy.deepcopy`, pickle) is a plain, mutable container again.
"""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError("shared scan facts are read-only; copy them (dict(x), list(x)) to change them")


class FrozenDict(dict[str, Any]):
    __slots__ = ()

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return dict, (dict(self),)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)


class FrozenList(list[Any]):
    __slots__ = ()

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return list, (list(self),)

    def __copy__(self) -> list[Any]:
        return list(self)
