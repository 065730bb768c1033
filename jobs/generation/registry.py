"""From a catalog entry to an engine instance (one per process and model)."""

from __future__ import annotations

import threading

from jobs.generation.base import Engine, PermanentEngineError

_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def engine_for(*, model_id: str, engine: str, options: dict, device: str | None = None) -> Engine:
    with _lock:
        cached = _engines.get(model_id)
        if cached is None:
            cached = _build(engine=engine, options=options, device=device)
            _engines[model_id] = cached
        return cached


def _build(*, engine: str, options: dict, device: str | None) -> Engine:
    if engine == "procedural":
        from jobs.generation.procedural import ProceduralEngine

        return ProceduralEngine()
    if engine == "diffusers":
        from jobs.generation.diffusers_engine import DiffusersEngine

        return DiffusersEngine(**options, device=device)
    if ":" in engine:
        # A custom engine class named by import path, "package.module:ClassName".
        import importlib

        module_name, _, class_name = engine.partition(":")
        try:
            engine_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise PermanentEngineError(f"Engine '{engine}' cannot be loaded: {exc}") from None
        return engine_class(**options)
    raise PermanentEngineError(f"Unknown engine '{engine}' in the model catalog.")


def reset() -> None:
    """Forget cached engines (tests)."""
    with _lock:
        _engines.clear()
