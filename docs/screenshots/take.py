"""Retake the README screenshots (jobs.png, create.png, detail.png, keys.png) in this folder.

    .venv/bin/python docs/screenshots/take.py

Runs jobs/tests/test_browser_screenshots.py and accounts/tests/test_browser_keys.py with VIDEOGEN_SCREENSHOTS=1: a live server,
real workers rendering with the procedural model, and Debian's Chromium at 1280 px.
Uses DATABASE_URL / REDIS_URL when set, SQLite and an embedded Redis otherwise.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    command = [sys.executable, "-m", "pytest", "-q", "-m", "browser", "--create-db", "-p", "no:cacheprovider",
               "jobs/tests/test_browser_screenshots.py", "accounts/tests/test_browser_keys.py", *sys.argv[1:]]
    sys.exit(subprocess.call(command, cwd=ROOT, env={**os.environ, "VIDEOGEN_SCREENSHOTS": "1"}))
