"""Dependencies run one way (docs/architecture.md): this test fails on an import against it.

Every module of the project (tests and migrations aside) is parsed, and each import
it makes, at the top or inside a function, is checked against the rules below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "projects", "jobs", "videogen")

# The project package's modules that may name the apps (it wires them together).
VIDEOGEN_WIRING = ("videogen.settings", "videogen.urls", "videogen.health_api", "videogen.healthcheck")
# Pages: views, forms, template tags and the pages' plumbing.
PAGE_PARTS = (".views", ".forms", ".templatetags", "videogen.pages", "videogen.form_errors")
# What the generic job code may use of jobs.generation: the contract, not an engine.
GENERIC_GENERATION = ("jobs.generation.base", "jobs.generation.registry", "jobs.generation.render",
                      "jobs.generation.encoder", "jobs.generation.preview_frames")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str) -> list[str]:
    """Every module ``source`` imports (absolute names; ``from x import y`` gives x.y too)."""
    names: list[str] = []
    package = module if module.count(".") == 0 else module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base] if base else anchor)
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)
    return names


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def is_page(module: str) -> bool:
    return any(part in f".{module}." or module == part or module.startswith(part + ".") or module.endswith(part)
               for part in PAGE_PARTS)


def violations(module: str, imported: list[str]) -> list[str]:
    """The rules, as (module imports name) checks; one line per broken one."""
    found = []
    for name in imported:
        app = name.split(".", 1)[0]
        if app not in APPS:
            continue
        if is_under(module, "accounts") and app in ("projects", "jobs"):
            found.append(f"{module} -> {name}: accounts depends on no other app")
        if is_under(module, "projects") and app == "jobs" and not is_under(name, "jobs.selectors"):
            found.append(f"{module} -> {name}: projects reads jobs only through jobs.selectors")
        if (is_under(module, "videogen") and app != "videogen"
                and not any(is_under(module, wiring) for wiring in VIDEOGEN_WIRING)):
            found.append(f"{module} -> {name}: the project's plumbing depends on no app")
        if is_page(module) and (name.endswith(".serializers") or ".serializers." in name
                                or name.endswith(".api") or ".api." in name and not is_under(name, "videogen.api")):
            found.append(f"{module} -> {name}: pages do not import the API's modules")
        if (module.endswith(".api") or module.endswith(".serializers")) and (
                name.endswith(".views") or ".views." in name or name.endswith(".forms")):
            found.append(f"{module} -> {name}: the API does not import the pages' modules")
        if app == module.split(".", 1)[0] == "jobs" or app == "jobs":
            found.extend(_engine_violations(module, name))
    return found


def _engine_violations(module: str, name: str) -> list[str]:
    """Only an engine's own package (and the registry's discovery) may import an engine."""
    if not is_under(name, "jobs.generation") or name == "jobs.generation":
        return []
    if any(is_under(name, generic) for generic in GENERIC_GENERATION):
        return []
    engine_package = ".".join(name.split(".")[:3])
    if is_under(module, engine_package):
        return []
    return [f"{module} -> {name}: code outside an engine never imports it (use jobs.generation.registry)"]


def project_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).parts
            if "tests" in relative or "migrations" in relative or "testing" in relative:
                continue
            yield module_name(path), path


def test_every_import_runs_the_allowed_way():
    broken = [line for module, path in project_modules()
              for line in violations(module, imports_of(path.read_text(), module))]

    assert broken == []


@pytest.mark.parametrize(("module", "source"), [
    ("projects.views", "from jobs.views import paged_jobs"),
    ("projects.selectors", "from jobs.models import Job"),
    ("accounts.services", "def f():\n    from projects.models import Project"),
    ("jobs.views", "from jobs.serializers import JobSerializer"),
    ("jobs.forms", "from jobs import serializers"),
    ("projects.views", "from projects.api import ProjectCollectionView"),
    ("jobs.api", "from jobs.views import job_list"),
    ("jobs.tasks", "from jobs.generation.procedural.engine import seed_from_prompt"),
    ("jobs.services.running", "from jobs.generation.diffusers import ENGINE"),
    ("jobs.worker", "from jobs.generation import procedural"),
    ("videogen.api.exceptions", "from jobs.models import Job"),
])
def test_an_import_against_the_direction_is_caught(module, source):
    assert violations(module, imports_of(source, module))


@pytest.mark.parametrize(("module", "source"), [
    ("projects.views", "from jobs.selectors import job_page"),
    ("jobs.views", "from jobs.presentation import result_for"),
    ("jobs.api", "from jobs.presentation import JobUrls, job_json"),
    ("jobs.services.running", "from jobs.generation.registry import engine_for"),
    ("jobs.generation.procedural.engine", "from jobs.generation.procedural.looks import look_for"),
    ("videogen.urls", "from jobs.urls import api_urlpatterns"),
])
def test_an_import_the_allowed_way_passes(module, source):
    assert violations(module, imports_of(source, module)) == []


def test_generic_job_code_never_names_an_engine():
    """Strings too: tasks, the worker, the services and the commands name no engine or queue."""
    generic = [ROOT / "jobs" / "tasks.py", ROOT / "jobs" / "worker.py", *(ROOT / "jobs" / "services").glob("*.py"),
               *(ROOT / "jobs" / "management" / "commands").glob("*.py")]
    named = []
    for path in generic:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in ("procedural", "diffusers", "gpu", "cpu"):
                    named.append(f"{path.relative_to(ROOT)}: {node.value!r}")
    assert named == []
