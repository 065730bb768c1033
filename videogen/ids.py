"""Opaque, non-sequential ids (cuid2) for every public row."""

from cuid2 import Cuid

_generator = Cuid(length=25)


def new_id() -> str:
    return _generator.generate()
