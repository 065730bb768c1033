"""`make web`: the web tier as compose deploys it, on one machine: nginx in front of gunicorn.

    python -m videogen.webtier --bind HOST:PORT

gunicorn (docker/gunicorn.conf.py) listens on a Unix socket in a private temporary
folder; nginx, configured from docker/nginx/default.conf.template (the file compose's
proxy service uses), listens on HOST:PORT and reads each request whole before passing
it on, so slow clients never hold gunicorn's threads. SIGTERM or SIGINT stops both.
Needs nginx (`apt-get install nginx`, or NGINX=/path/to/nginx). Imports no Django.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "docker" / "nginx" / "default.conf.template"
GUNICORN_CONFIG = ROOT / "docker" / "gunicorn.conf.py"
START_TIMEOUT = 60
STOP_TIMEOUT = 35
_VARIABLE = re.compile(r"\$\{(VIDEOGEN_[A-Z_]+)\}")

MAIN_CONFIG = """\
# Written by videogen.webtier for this run only.
worker_processes 1;
pid {run}/nginx.pid;
error_log stderr warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/videogen.conf;
}}
"""


def render_template(text: str, values: dict[str, str]) -> str:
    """``${VIDEOGEN_*}`` replaced as the nginx image's envsubst does; nginx's own $vars kept."""

    def replace(match: re.Match) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{match.group(1)} has no value")
        return values[match.group(1)]

    return _VARIABLE.sub(replace, text)


def listen_address(bind: str) -> str:
    host, _, port = bind.rpartition(":")
    if not port.isdigit() or not host:
        raise SystemExit(f"--bind must be HOST:PORT, got {bind!r}")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def find_nginx() -> str:
    candidate = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.access(candidate, os.X_OK):
        raise SystemExit(
            "make web runs nginx in front of gunicorn and no nginx was found: install it "
            "(apt-get install nginx) or set NGINX to its path."
        )
    return candidate


def write_config(run: Path, listen: str) -> Path:
    socket_path = run / "gunicorn.sock"
    site = render_template(TEMPLATE.read_text(), {
        "VIDEOGEN_LISTEN": listen, "VIDEOGEN_UPSTREAM": f"unix:{socket_path}",
    })
    (run / "videogen.conf").write_text(site)
    main = run / "nginx.conf"
    main.write_text(MAIN_CONFIG.format(run=run))
    return main


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", required=True, help="HOST:PORT nginx listens on")
    args = parser.parse_args(argv)
    listen = listen_address(args.bind)
    nginx = find_nginx()

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    run = Path(tempfile.mkdtemp(prefix="videogen-web-"))
    os.chmod(run, 0o711)  # nginx workers (another user when started as root) reach the socket by path
    socket_path = run / "gunicorn.sock"
    env = dict(os.environ)
    # The app sees clients through this proxy (TRUSTED_PROXY_COUNT counts it, as in compose).
    env["TRUSTED_PROXY_COUNT"] = env.get("TRUSTED_PROXY_COUNT") or "1"
    children: list[subprocess.Popen] = []
    try:
        main_config = write_config(run, listen)
        children.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "--bind", f"unix:{socket_path}"],
            cwd=ROOT, env=env, preexec_fn=_die_with_parent,
        ))
        deadline = time.monotonic() + START_TIMEOUT
        while not socket_path.exists():
            if stop.wait(0.1) or children[0].poll() is not None or time.monotonic() > deadline:
                print("gunicorn did not start", file=sys.stderr)
                return 1
        children.append(subprocess.Popen(
            [nginx, "-e", "stderr", "-p", str(run), "-c", str(main_config)], preexec_fn=_die_with_parent,
        ))
        print(f"web tier: nginx on {listen} in front of gunicorn", flush=True)
        while not stop.wait(0.5):
            exited = [child for child in children if child.poll() is not None]
            if exited:
                print(f"{exited[0].args[0]} exited with {exited[0].returncode}; stopping", file=sys.stderr)
                return 1
        return 0
    finally:
        for child in reversed(children):  # nginx first: no new requests reach gunicorn
            if child.poll() is None:
                child.send_signal(signal.SIGQUIT if child.args[0] == nginx else signal.SIGTERM)
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        shutil.rmtree(run, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
