"""Engines by declaration, and one built engine per process and model.

Every package under ``jobs/generation/`` that sets ``ENGINE`` (an ``EngineDeclaration``)
is an engine; the catalog's ``"engine"`` names it. A catalog may also name a class by
import path (``"package.module:ClassName"``, built with its options): such an engine
gets the default declaration.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from functools import cache
from pathlib import Path

from jobs.generation.base import Engine, EngineDeclaration, PermanentEngineError

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


@cache
def declarations() -> dict[str, EngineDeclaration]:
    """Every engine package's declaration, by engine name."""
    found: dict[str, EngineDeclaration] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.ispkg:
            continue
        declaration = getattr(importlib.import_module(f"jobs.generation.{module.name}"), "ENGINE", None)
        if isinstance(declaration, EngineDeclaration):
            found[declaration.name] = declaration
    return found


def _by_import_path(engine: str) -> EngineDeclaration:
    def build(options: dict, device: str | None = None) -> Engine:
        module_name, _, class_name = engine.partition(":")
        try:
            engine_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise PermanentEngineError(f"Engine '{engine}' cannot be loaded: {exc}") from None
        return engine_class(**options)

    return EngineDeclaration(name=engine, build=build)


def declaration_for(engine: str) -> EngineDeclaration:
    """The declaration of a catalog ``engine`` value; PermanentEngineError when unknown."""
    found = declarations().get(engine)
    if found is not None:
        return found
    if ":" in engine:
        return _by_import_path(engine)
    raise PermanentEngineError(
        f"Unknown engine '{engine}' in the model catalog (known: {', '.join(sorted(declarations()))})."
    )


def engine_for(*, model_id: str, engine: str, options: dict, device: str | None = None) -> Engine:
    with _lock:
        cached = _engines.get(model_id)
        if cached is None:
            cached = declaration_for(engine).build(options, device)
            _engines[model_id] = cached
        return cached


def reset() -> None:
    """Forget cached engines (tests)."""
    with _lock:
        _engines.clear()
