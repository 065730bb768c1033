"""Gunicorn settings for the container image (`gunicorn -c docker/gunicorn.conf.py`).

WEB_CONCURRENCY (processes) is read by gunicorn itself; GUNICORN_CMD_ARGS can
override anything here, e.g. GUNICORN_CMD_ARGS="--threads 8 --timeout 120".
"""

import os

wsgi_app = "videogen.wsgi:application"
bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4
# Requests are short (jobs run on workers); video downloads stream through Django
# only without S3, and a slow client must not hold a thread for ever.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory: /tmp may be on a slow or read-only layer.
worker_tmp_dir = "/dev/shm"
# The control socket would live under $HOME, which the non-root user cannot write;
# a container is managed by signals (docker stop / kill -HUP) instead.
control_socket_disable = True
# One line per request comes from videogen.request_logging; no second access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL") or "info"
# HTTPS behind a proxy is Django's call (USE_X_FORWARDED_PROTO), not gunicorn's.
