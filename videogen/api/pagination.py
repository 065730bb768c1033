"""skip/take paging as the original spec's clients send it."""

from __future__ import annotations

from dataclasses import dataclass

from videogen.errors import InvalidInput

MAX_TAKE = 100
DEFAULT_TAKE = 50


@dataclass(frozen=True)
class Page:
    skip: int
    take: int


def page_from_query(params) -> Page:
    skip = _integer(params, "skip", 0, minimum=0, maximum=10_000_000)
    take = _integer(params, "take", DEFAULT_TAKE, minimum=1, maximum=MAX_TAKE)
    return Page(skip=skip, take=take)


def _integer(params, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput.for_field(name, "must be an integer.") from None
    if not minimum <= value <= maximum:
        raise InvalidInput.for_field(name, f"must be between {minimum} and {maximum}.")
    return value
