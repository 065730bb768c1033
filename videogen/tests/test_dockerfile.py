"""The Dockerfile, .dockerignore and gunicorn config: read as files (no Docker engine here)."""

from __future__ import annotations

import re
import runpy
import shlex
from dataclasses import dataclass, field

import pytest

from videogen.tests.envvars import DOCKERFILE, ROOT


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages with their (KEYWORD, arguments) instructions; continuations joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    stages: list[Stage] = []
    for instruction in logical:
        keyword, _, args = instruction.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", args, re.IGNORECASE)
            stages.append(Stage(name=(match.group(2) or str(len(stages))).lower(), base=match.group(1)))
        elif keyword != "ARG" or stages:
            stages[-1].instructions.append((keyword, args))
    return stages


@pytest.fixture(scope="module")
def stages() -> dict[str, Stage]:
    return {stage.name: stage for stage in parse_dockerfile(DOCKERFILE.read_text())}


@pytest.fixture(scope="module")
def order() -> list[str]:
    return [stage.name for stage in parse_dockerfile(DOCKERFILE.read_text())]


def effective(stages: dict[str, Stage], name: str, keyword: str) -> list[str]:
    """Instructions of one kind in a stage and the stages it is built FROM, base first."""
    stage = stages[name]
    inherited = effective(stages, stage.base, keyword) if stage.base in stages else []
    return inherited + stage.all(keyword)


def test_it_builds_wheels_in_one_stage_and_runs_from_another_on_python_311_slim(stages):
    assert stages["builder"].base == "python:3.11-slim"
    assert stages["app"].base == "python:3.11-slim"
    assert any("pip wheel" in run for run in stages["builder"].all("RUN"))
    assert any("--from=builder" in copy for copy in stages["app"].all("COPY"))
    # Compilers stay in the builder.
    assert not any("build-essential" in run for run in stages["app"].all("RUN"))


def test_the_default_target_is_the_cpu_runtime_and_gpu_is_a_target(stages, order):
    assert order[-1] == "runtime"
    assert stages["runtime"].base == "app"
    assert stages["gpu"].base == "app"


@pytest.mark.parametrize("target", ["runtime", "gpu"])
def test_each_target_runs_as_a_non_root_user(stages, target):
    users = effective(stages, target, "USER")
    assert users, f"{target} never switches user"
    assert users[-1] not in ("root", "0", "0:0")


def test_static_files_are_collected_at_build_with_throwaway_secrets_on_that_line_only(stages):
    runs = [run for run in stages["app"].all("RUN") if "collectstatic" in run]
    assert len(runs) == 1
    assert "SECRET_KEY=" in runs[0] and "JWT_SECRET_KEY=" in runs[0]
    for target in ("runtime", "gpu"):
        for env in effective(stages, target, "ENV"):
            assert "SECRET_KEY" not in env, "a secret baked into the image"
    assert any("DEBUG=0" in env for env in effective(stages, "runtime", "ENV"))


def test_gunicorn_is_the_entry_point_of_the_runtime_image(stages):
    command = effective(stages, "runtime", "CMD")[-1]
    argv = shlex.split(command.strip("[]").replace(",", " "))
    assert argv[:3] == ["gunicorn", "--config", "docker/gunicorn.conf.py"]
    assert "videogen.wsgi:application" in argv
    assert effective(stages, "runtime", "EXPOSE") == ["8000"]


def test_the_runtime_image_has_a_healthcheck_on_the_web_liveness_probe(stages):
    check = effective(stages, "runtime", "HEALTHCHECK")[-1]
    assert "videogen.healthcheck" in check and '"web"' in check


def test_the_gpu_target_adds_cuda_torch_and_the_diffusion_extra(stages):
    runs = " ".join(stages["gpu"].all("RUN"))
    assert re.search(r"pip install --index-url \S*\$\{TORCH_INDEX_URL\}\S* \S*torch==\$\{TORCH_VERSION\}", runs)
    assert "pip install -r requirements-diffusion.txt" in runs
    args = " ".join(stages["gpu"].all("ARG"))
    assert "TORCH_INDEX_URL=https://download.pytorch.org/whl/cu" in args
    envs = " ".join(stages["gpu"].all("ENV"))
    assert "HF_HUB_OFFLINE=1" in envs and "DIFFUSION_MODEL_DIR=/models" in envs
    assert "worker" in effective(stages, "gpu", "HEALTHCHECK")[-1]
    assert '"--queues", "gpu"' in effective(stages, "gpu", "CMD")[-1]


def test_torch_stays_out_of_every_requirements_file():
    for path in ROOT.glob("requirements*.txt"):
        for line in path.read_text().splitlines():
            assert not re.match(r"\s*torch\b", line), f"{path.name}: {line}"


def test_the_files_it_copies_and_runs_exist():
    for relative in ("requirements.txt", "requirements-diffusion.txt", "manage.py", "docker/gunicorn.conf.py"):
        assert (ROOT / relative).exists(), relative


# --- .dockerignore ---------------------------------------------------------------------------


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as a regex: ** spans folders, * and ? stay inside one."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(path: str) -> bool:
    """Docker's rule: a pattern matching a folder leaves out all in it; the last match wins; "!" keeps."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in dockerignore_patterns():
        negate = pattern.startswith("!")
        regex = _pattern_regex(pattern.lstrip("!").rstrip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negate
    return result


@pytest.mark.parametrize(
    "path",
    [".venv/bin/python", "media/videos/a.mp4", "db.sqlite3", "db-test-main.sqlite3", ".git/HEAD",
     ".env", ".secrets.local.json", "staticfiles/css/app.css", "jobs/__pycache__/models.cpython-311.pyc"],
)
def test_the_build_context_leaves_out_local_state(path):
    assert ignored(path)


@pytest.mark.parametrize(
    "path",
    ["manage.py", "requirements.txt", "requirements-diffusion.txt", "videogen/settings.py", "docker/gunicorn.conf.py",
     "static/css/app.css", "templates/base.html", "jobs/models.py", ".env.example"],
)
def test_the_build_context_keeps_the_code(path):
    assert not ignored(path)


# --- gunicorn config ---------------------------------------------------------------------------


def test_gunicorn_config_binds_8000_and_reads_web_concurrency(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    config = runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8000"
    assert config["workers"] == 5
    assert config["threads"] == 4
    assert config["wsgi_app"] == "videogen.wsgi:application"
    # One request line comes from the Django middleware; no second access log.
    assert config["accesslog"] is None


def test_gunicorn_config_defaults_to_three_processes(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert runpy.run_path(str(ROOT / "docker" / "gunicorn.conf.py"))["workers"] == 3
