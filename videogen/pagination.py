"""Paging, in one place: the API's skip/take and the pages' ?page= numbers."""

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


# --- the pages: ?page=N ------------------------------------------------------------

MAX_PAGE = 100_000


def page_number(request) -> int:
    """The ?page= number, forgiving: junk means 1, and it is capped before it reaches SQL."""
    try:
        return min(max(1, int(request.GET.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill (at least one, empty)."""
    return max(1, -(-total // per_page))


def pager(*, page: int, pages: int, total: int) -> dict:
    """What the pager templates need."""
    return {"total": total, "page": page, "pages": pages, "page_range": range(1, pages + 1)}
