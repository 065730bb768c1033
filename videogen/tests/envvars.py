"""Which environment variables the code reads, for the deployment-file tests.

Read from the source of videogen/settings.py (every env_* helper and
secret_from_env call), so a setting added there is one these tests know about.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_FILE = ROOT / "videogen" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

READERS = {"env_str", "env_int", "env_bool", "env_float", "env_list", "env_choice", "env_json", "env_rate", "secret_from_env"}

# Read in settings.py but not settings anyone deploys: set by pytest-xdist to give each
# test process its own SQLite test database.
NOT_SETTINGS = {"PYTEST_XDIST_WORKER"}

# Documented in .env.example though settings.py does not read them: docker compose
# builds DATABASE_URL from the first three (and the postgres image reads them), and
# gunicorn reads WEB_CONCURRENCY.
COMPOSE_ONLY = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "WEB_CONCURRENCY"}

# Variables the app containers may set that libraries read rather than settings.py.
LIBRARY_VARS = {
    "DJANGO_SETTINGS_MODULE": "Django",
    "WEB_CONCURRENCY": "gunicorn (process count)",
    "HF_HOME": "huggingface_hub (cache location)",
    "HF_HUB_OFFLINE": "huggingface_hub (never download)",
}


def settings_env_vars() -> set[str]:
    """Every variable name settings.py passes to an env reader, minus NOT_SETTINGS."""
    tree = ast.parse(SETTINGS_FILE.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in READERS:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names - NOT_SETTINGS


_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def env_example_entries() -> list[tuple[str, str, str]]:
    """(name, value, the comment line just above) for each assignment in .env.example."""
    entries = []
    previous = ""
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            entries.append((match.group(1), match.group(2), previous))
        previous = line
    return entries
