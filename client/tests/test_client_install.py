"""`pip install ./client` into a fresh virtual environment (no Django, none of the
server's requirements) gives a working `videogen` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from client_live import CLIENT_DIR

pytestmark = pytest.mark.slow


def test_the_package_depends_only_on_an_http_client_and_a_progress_library():
    project = tomllib.loads((CLIENT_DIR / "pyproject.toml").read_text())["project"]

    assert project["name"] == "videogen-client"
    assert sorted(dep.split(">")[0].split("=")[0] for dep in project["dependencies"]) == ["httpx", "tqdm"]
    assert project["scripts"] == {"videogen": "videogen_client.cli:main"}


def test_the_client_imports_nothing_from_the_server():
    for path in (CLIENT_DIR / "videogen_client").glob("*.py"):
        text = path.read_text()
        for server_module in ("django", "rest_framework", "accounts", "jobs.", "projects.", "videogen."):
            assert f"import {server_module}" not in text and f"from {server_module}" not in text, path


def test_pip_install_into_a_fresh_venv_gives_a_working_videogen_command(tmp_path):
    source = tmp_path / "client"
    shutil.copytree(CLIENT_DIR, source, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"

    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(source)], capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr

    helped = subprocess.run([str(venv / "bin" / "videogen"), "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "usage: videogen" in helped.stdout and "run" in helped.stdout
    usage = subprocess.run([str(venv / "bin" / "videogen"), "jobs", "list"], capture_output=True, text=True,
                           timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert usage.returncode == 2 and "not logged in" in usage.stderr
    no_django = subprocess.run([str(python), "-c", "import django"], capture_output=True, text=True, timeout=60)
    assert no_django.returncode != 0 and "No module named 'django'" in no_django.stderr
