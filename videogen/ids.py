"""Opaque, non-sequential ids (cuid2) for every public row."""

from cuid2 import Cuid

_generator = Cuid(length=25)


def new_id() -> str:
    return _generator.generate()


def valid_id(value: str) -> bool:
    """Whether a string could be one of our ids (never NUL, which PostgreSQL refuses)."""
    return 0 < len(value) <= 64 and "\x00" not in value
