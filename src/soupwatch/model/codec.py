"""A lossless JSON codec for the model's frozen dataclasses (how stored assessments are kept).

:func:`encode` turns a dataclass value into JSON-able data (enums by value, dates and times in
ISO 8601, tuples as lists); :func:`decode` rebuilds the value from the class's type hints, so
``decode(type(x), encode(x)) == x`` for every model value. Field order is the class's; the
encoding of a class with fields added later still decodes (missing fields take their defaults).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")

Decoder = Callable[[Any], Any]


def encode(value: Any) -> Any:
    """JSON-able data for a model value (dataclass, enum, date, tuple, … or plain JSON)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in _fields(type(value))}
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(cls: type[T], data: Any) -> T:
    """The value of type ``cls`` that :func:`encode` turned into ``data``."""
    result: T = _decoder(cls)(data)
    return result


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}
_DECODERS: dict[Any, Decoder] = {}


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    got = _FIELDS.get(cls)
    if got is None:
        got = _FIELDS[cls] = tuple(f for f in dataclasses.fields(cls) if f.init)
    return got


def _decoder(tp: Any) -> Decoder:
    """A decoder for a type hint (built once per hint: the classes are static)."""
    got = _DECODERS.get(tp)
    if got is None:
        got = _DECODERS[tp] = _build(tp)
    return got


def _build(tp: Any) -> Decoder:
    supertype = getattr(tp, "__supertype__", None)  # NewType
    if supertype is not None:
        return _decoder(supertype)
    if tp is Any or tp in (str, int, bool):
        return _identity
    if tp is float:
        return _float
    if tp is datetime:
        return _optional(datetime.fromisoformat)
    if tp is date:
        return _optional(date.fromisoformat)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _optional(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot decode the union {tp}")
        return _optional(_decoder(inner[0]))
    if origin is tuple:
        return _tuple_decoder(args)
    if origin is list:
        item = _decoder(args[0])
        return lambda data: [item(v) for v in data]
    if origin is dict:
        value = _decoder(args[1])
        return lambda data: {k: value(v) for k, v in data.items()}
    raise TypeError(f"cannot decode {tp}")


def _identity(data: Any) -> Any:
    return data


def _float(data: Any) -> Any:
    return None if data is None else float(data)


def _optional(inner: Decoder) -> Decoder:
    return lambda data: None if data is None else inner(data)


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda data: tuple(item(v) for v in data)
    items = [_decoder(a) for a in args]
    return lambda data: tuple(d(v) for d, v in zip(items, data, strict=True))


def _dataclass_decoder(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, Decoder | None]] = []

    def decode_it(data: Any) -> Any:
        if data is None:
            return None
        if not plan:
            plan.extend((f.name, _decoder(hints[f.name])) for f in _fields(cls))
        return cls(**{name: d(data[name]) for name, d in plan if name in data and d is not None})

    return decode_it
