"""docker-compose.yml: the services, their health and restart policies, the GPU profile,
and that every environment variable it sets is one something really reads."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from videogen.tests.envvars import (
    COMPOSE_FILE,
    LIBRARY_VARS,
    ROOT,
    env_example_entries,
    settings_env_vars,
)

APP_SERVICES = ("migrate", "web", "worker", "gpu-worker")
LONG_RUNNING = ("postgres", "redis", "proxy", "web", "worker", "gpu-worker")
POSTGRES_IMAGE_VARS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
# Settings compose has no business passing: the embedded Redis of `make run` and the
# image's own static folder; the diffusion ones go to the GPU worker only; compose
# requires its secrets, it never generates local ones.
NOT_PASSED = {"EMBEDDED_REDIS_PORT", "STATIC_ROOT", "DIFFUSION_MODEL_DIR", "DIFFUSION_DEVICE", "LOCAL_SECRETS"}
FILLED_IN = {"SECRET_KEY": "s" * 60, "JWT_SECRET_KEY": "j" * 60, "POSTGRES_PASSWORD": "pg0password"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def seconds(duration: str) -> float:
    """A compose duration ("90s", "2m", "1m30s") in seconds."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", str(duration))
    assert parts, f"not a duration: {duration!r}"
    return sum(float(value) * units[unit] for value, unit in parts)


_REFERENCE = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}."""

    def replace(match: re.Match) -> str:
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, argument = match.group(3), match.group(4)
        value = env.get(name)
        if operator in (":-", ":?"):
            missing = not value
        else:
            missing = value is None
        if operator and operator.endswith("?") and missing:
            raise LookupError(f"{name}: {argument}")
        if operator and operator.endswith("-") and missing:
            return argument
        return value or ""

    return _REFERENCE.sub(replace, text)


def interpolate_all(node, env: dict[str, str]):
    """Substitute in every string of the parsed file, as compose does (after parsing the YAML)."""
    if isinstance(node, dict):
        return {key: interpolate_all(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate_all(item, env) for item in node]
    return interpolate(node, env) if isinstance(node, str) else node


def referenced_variables(text: str) -> set[str]:
    return {m.group(2) or m.group(5) for m in _REFERENCE.finditer(text) if not m.group(1)}


def env_file_as_filled_in() -> dict[str, str]:
    """.env as a person makes it: the example, with the required secrets filled in."""
    return {**{name: value for name, value, _ in env_example_entries()}, **FILLED_IN}


# --- services --------------------------------------------------------------------------------


def test_it_defines_the_platform_services(services):
    assert set(services) == {"postgres", "redis", "mailpit", "migrate", "proxy", "web", "worker", "gpu-worker"}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_each_long_running_service_restarts_and_has_a_healthcheck(services, name):
    service = services[name]
    assert service["restart"] == "unless-stopped"
    check = service["healthcheck"]
    assert not check.get("disable")
    assert check["test"][0] in ("CMD", "CMD-SHELL")
    for key in ("interval", "timeout", "retries"):
        assert key in check, f"{name} healthcheck has no {key}"


def test_postgres_is_16_with_a_volume_and_pg_isready(services, compose):
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert "postgres-data" in compose["volumes"]


def test_redis_keeps_an_append_only_file_synced_every_second_and_never_evicts(services, compose):
    redis = services["redis"]
    assert redis["image"] == "redis:7"
    command = redis["command"]
    flags = dict(zip(command[1::2], command[2::2]))
    assert command[0] == "redis-server"
    assert flags == {"--appendonly": "yes", "--appendfsync": "everysec", "--maxmemory-policy": "noeviction"}
    assert "redis-data:/data" in redis["volumes"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "redis-data" in compose["volumes"]


def test_migrations_run_once_before_web_and_workers_start(services):
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "gpu-worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_web_serves_gunicorn_on_8000_and_its_healthcheck_needs_only_itself(services):
    web = services["web"]
    assert web["command"][0] == "gunicorn"
    assert web["expose"] == ["8000"]
    assert "ports" not in web  # only through the proxy
    # Not the platform-wide /api/v1/health, which is 503 while no worker is up.
    assert web["healthcheck"]["test"] == ["CMD", "python", "-m", "videogen.healthcheck", "web"]


def test_the_proxy_fronts_web_on_8000_with_the_config_make_web_uses(services):
    from videogen import webtier

    proxy = services["proxy"]
    assert proxy["ports"] == ["8000:8000"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    [mount] = proxy["volumes"]
    source, target, mode = mount.split(":")
    assert (ROOT / source).resolve() == webtier.TEMPLATE
    assert target == "/etc/nginx/templates/default.conf.template" and mode == "ro"
    # The image substitutes exactly the template's variables, and nothing of nginx's own.
    env = proxy["environment"]
    used = set(re.findall(r"\$\{(VIDEOGEN_[A-Z_]+)\}", webtier.TEMPLATE.read_text()))
    assert used == {name for name in env if name.startswith("VIDEOGEN_")}
    assert env["VIDEOGEN_UPSTREAM"] == "web:8000" and env["VIDEOGEN_LISTEN"] == "8000"
    assert env["NGINX_ENVSUBST_FILTER"] == "^VIDEOGEN_"
    # The app counts the proxy when it reads the client's address.
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_the_cpu_worker_consumes_cpu_and_default_and_scales(services):
    worker = services["worker"]
    assert worker["command"] == ["python", "manage.py", "worker", "--queues", "cpu,default"]
    # `docker compose up --scale worker=N` needs replicas that don't collide.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["healthcheck"]["test"] == ["CMD", "python", "-m", "videogen.healthcheck", "worker"]


@pytest.mark.parametrize("name", ["worker", "gpu-worker"])
def test_workers_get_time_to_hand_their_attempt_back_when_stopped(services, name):
    assert seconds(services[name]["stop_grace_period"]) >= 60
    assert services[name]["init"] is True  # signals reach the worker; forked horses are reaped


def test_the_gpu_worker_is_a_profile_with_an_nvidia_gpu(services):
    gpu = services["gpu-worker"]
    assert gpu["profiles"] == ["gpu"]
    assert gpu["build"]["target"] == "gpu"
    assert gpu["image"] != services["worker"]["image"]
    assert gpu["command"] == ["python", "manage.py", "worker", "--queues", "gpu", "--in-process"]
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert "container_name" not in gpu


def test_the_gpu_worker_reads_weights_from_volumes_and_never_downloads(services, compose):
    gpu = services["gpu-worker"]
    env = gpu["environment"]
    assert env["DIFFUSION_MODEL_DIR"] == "/models"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["HF_HOME"] == "/data/hf-cache"
    assert "models:/models" in gpu["volumes"]
    assert "hf-cache:/data/hf-cache" in gpu["volumes"]
    assert {"models", "hf-cache"} <= set(compose["volumes"])


def test_only_the_gpu_worker_is_behind_a_profile(services):
    assert [name for name, service in services.items() if service.get("profiles")] == ["gpu-worker"]


def test_web_and_workers_share_the_media_volume(services, compose):
    for name in ("web", "worker", "gpu-worker"):
        assert "media:/data/media" in services[name]["volumes"], name
        assert services[name]["environment"]["MEDIA_ROOT"] == "/data/media", name
    assert "media" in compose["volumes"]


def test_app_services_run_the_image_built_here(services):
    for name in APP_SERVICES:
        assert services[name]["build"]["context"] == ".", name
    assert {services[name]["build"]["target"] for name in ("migrate", "web", "worker")} == {"runtime"}


# --- environment --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_an_app_service_sets_is_read_by_settings_or_a_library(services, name):
    unknown = set(services[name]["environment"]) - settings_env_vars() - set(LIBRARY_VARS)
    assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def test_the_postgres_service_sets_only_what_the_postgres_image_reads(services):
    assert set(services["postgres"]["environment"]) == POSTGRES_IMAGE_VARS


def test_every_setting_reaches_the_app_containers(services):
    missing = settings_env_vars() - NOT_PASSED - set(services["web"]["environment"])
    assert not missing, f"settings a .env cannot reach through compose: {sorted(missing)}"
    for name in APP_SERVICES:
        assert services[name]["environment"].keys() >= services["migrate"]["environment"].keys(), name


def test_secrets_are_required_from_the_environment_never_written_here(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DEBUG"] == "0", name
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert env["JWT_SECRET_KEY"].startswith("${JWT_SECRET_KEY:?"), name
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"], name
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_s3_settings_pass_through_when_set(services):
    for key in ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert services["web"]["environment"][key] == f"${{{key}:-}}"


def test_every_variable_it_substitutes_is_documented_in_env_example():
    documented = {name for name, _, _ in env_example_entries()}
    undocumented = referenced_variables(COMPOSE_FILE.read_text()) - documented
    assert not undocumented, f"docker-compose.yml substitutes these, .env.example lacks them: {sorted(undocumented)}"


def test_it_refuses_to_start_without_the_secrets(compose):
    example = {name: value for name, value, _ in env_example_entries()}
    with pytest.raises(LookupError, match="SECRET_KEY"):
        interpolate_all(compose, example)


def test_the_web_environment_as_compose_resolves_it_loads_production_settings(compose):
    resolved = interpolate_all(compose, env_file_as_filled_in())
    env = {key: str(value) for key, value in resolved["services"]["web"]["environment"].items()}
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'DEBUG': settings.DEBUG, 'LOG_FORMAT': settings.LOG_FORMAT, "
        "'ALLOWED_HOSTS': settings.ALLOWED_HOSTS, 'DB_HOST': settings.DATABASES['default']['HOST'], "
        "'REDIS_URL': settings.REDIS_URL, 'SESSION_COOKIE_SECURE': settings.SESSION_COOKIE_SECURE, "
        "'VIDEOGEN_DEFAULT_MODEL': settings.VIDEOGEN_DEFAULT_MODEL, "
        "'STORAGE': settings.STORAGES['default']['BACKEND']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env={"PATH": os.environ.get("PATH", ""), **env}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "DEBUG": False,
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": ["localhost", "127.0.0.1"],
        "DB_HOST": "postgres",
        "REDIS_URL": "redis://redis:6379/0",
        "SESSION_COOKIE_SECURE": True,
        "VIDEOGEN_DEFAULT_MODEL": "videogen-procedural-1",
        "STORAGE": "django.core.files.storage.FileSystemStorage",
    }


# --- the docker compose client ----------------------------------------------------------------


def compose_client() -> list[str] | None:
    """`docker compose` (the plugin) when it works here, else a standalone docker-compose."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def run_compose_config(tmp_path, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    client = compose_client()
    if client is None:
        pytest.skip("no docker compose client here (neither the compose plugin nor docker-compose)")
    empty_env_file = tmp_path / "empty.env"  # a developer's own .env must not leak in
    empty_env_file.write_text("")
    env = {key: value for key, value in os.environ.items() if key not in FILLED_IN}
    return subprocess.run(
        [*client, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), "--profile", "gpu", "config", "-q"],
        cwd=ROOT, env={**env, **extra_env}, capture_output=True, text=True, timeout=60,
    )


def test_docker_compose_accepts_the_file(tmp_path):
    result = run_compose_config(tmp_path, FILLED_IN)
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_it_without_the_secrets(tmp_path):
    result = run_compose_config(tmp_path, {})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_mailpit_catches_the_mail_of_web_and_workers_and_its_inbox_is_on_loopback_only(services):
    assert services["mailpit"]["image"].startswith("axllent/mailpit:v")
    assert services["mailpit"]["ports"] == ["127.0.0.1:8025:8025"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("${EMAIL_HOST:-mailpit}", "${EMAIL_PORT:-1025}")
        assert "mailpit" in services[name]["depends_on"]
    assert services["web"]["environment"]["EMAIL_VERIFICATION"] == "${EMAIL_VERIFICATION:-required}"
