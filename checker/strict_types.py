"""No lax coercion where it changes meaning: one rule for every field of the declaration models.

pydantic's lax mode turns `"no"`, `"off"`, `"0"`, `0` and `"n"` into False and `"3"` into 3. A
declaration owner who writes `contacts: "no"` or `enabled: "true"` means something, but not
necessarily what the coercion picks, and a value read one way by the model and another by the
engine is how a result lies. So a boolean must be written `true` / `false`, a whole number as a
number (no quotes), and every whole number stays within JSON's exact range. The rule is a
field validator for all fields (`"*"`) in a base class, so fields added later get it for free.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import typing
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

# The largest whole number JSON readers keep exactly (2**53 - 1); no count in a declaration nears it.
MAX_INT = 2**53 - 1


@cache
def _accepted(annotation: Any) -> frozenset[type]:
    """The Python types a field accepts as written in YAML, unwrapping Annotated, unions and Literal."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _accepted(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        found: set[type] = set()
        for arg in typing.get_args(annotation):
            found |= _accepted(arg)
        return frozenset(found)
    if origin is typing.Literal:
        return frozenset(type(a) for a in typing.get_args(annotation))
    if origin in (list, tuple, set, frozenset):
        return frozenset({list})
    if origin is dict:
        return frozenset({dict})
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return frozenset({dict})
        if annotation in (dt.date, dt.datetime):
            return frozenset({annotation, str})
        return frozenset({annotation})
    return frozenset({object})


def check_scalar(annotation: Any, value: Any) -> Any:
    """Refuse a string or number where the field wants a boolean or a whole number (and say so)."""
    if value is None or isinstance(value, dict | list):
        return value
    return _check_accepted(_accepted(annotation), value)


def _check_accepted(accepted: frozenset[type], value: Any) -> Any:
    if object in accepted:
        return value
    if isinstance(value, bool):
        if bool not in accepted and int in accepted:
            raise PydanticCustomError("int_type", "Input should be a valid integer")
        return value
    if isinstance(value, int):
        if int in accepted or float in accepted:
            if abs(value) > MAX_INT:
                raise PydanticCustomError("less_than_equal", "Input should be less than or equal to {le}",
                                          {"le": MAX_INT})
            return value
        if bool in accepted:
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        return value
    if isinstance(value, str) and str not in accepted:
        if bool in accepted:
            raise PydanticCustomError("bool_type", "Input should be a valid boolean")
        if int in accepted:
            raise PydanticCustomError("int_type", "Input should be a valid integer")
    wants_int = int in accepted and float not in accepted and str not in accepted
    if isinstance(value, float) and wants_int and not (math.isfinite(value) and abs(value) <= MAX_INT):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


class StrictScalars(BaseModel):
    """Base class: booleans and whole numbers as written, never coerced from text or other numbers."""

    @field_validator("*", mode="before")
    @classmethod
    def _strict_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        kind = value.__class__
        if value is None or kind is dict or kind is list:
            return value
        key = (cls, info.field_name)
        accepted = _FIELD_TYPES.get(key)
        if accepted is None:
            field = cls.model_fields.get(info.field_name or "")
            annotation: Any = field.annotation if field is not None else object
            accepted = _FIELD_TYPES[key] = _accepted(annotation)
        if kind is str and str in accepted:
            return value  # text where text is accepted: the most common field of all
        return _check_accepted(accepted, value)


# What each model's field accepts, looked up once per field rather than once per value (a declaration
# validates hundreds of values).
_FIELD_TYPES: dict[tuple[type, str | None], frozenset[type]] = {}
