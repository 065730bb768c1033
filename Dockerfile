# syntax=docker/dockerfile:1
#
# videogen images. Targets:
#   runtime (the default, last stage): web (gunicorn), migrations and CPU workers.
#   gpu: runtime + a CUDA build of torch + requirements-diffusion.txt, for GPU workers.
#
#   docker build -t videogen .
#   docker build --target gpu -t videogen-gpu .
#   docker build --target gpu --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 -t videogen-gpu .

# --- builder: every runtime dependency as a wheel -------------------------------------
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt \
 && cp requirements.txt /wheels/

# --- app: the code on a slim Python, run as a non-root user --------------------------
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=videogen.settings \
    DEBUG=0 \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles
RUN groupadd --system --gid 10001 videogen \
 && useradd --system --uid 10001 --gid videogen --home-dir /app --no-create-home --shell /usr/sbin/nologin videogen
COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links /wheels -r /wheels/requirements.txt \
 && rm -rf /wheels
WORKDIR /app
COPY . .
# Static files are collected into the image. DEBUG is off, so settings insist on the
# secrets: placeholders on this one line only; they never reach a running container.
RUN SECRET_KEY=collectstatic-build-placeholder JWT_SECRET_KEY=collectstatic-build-placeholder \
    python manage.py collectstatic --noinput \
 && python -m compileall -q /app \
 && mkdir -p /data/media \
 && chown videogen:videogen /data/media
USER videogen
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "videogen.healthcheck", "web"]
CMD ["gunicorn", "--config", "docker/gunicorn.conf.py", "videogen.wsgi:application"]

# --- gpu: the diffusion extra on a CUDA build of torch ------------------------------------
FROM app AS gpu
ARG TORCH_VERSION=2.13.0
# The CUDA build to install; pick the one your driver supports (cu126, cu128, ...).
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128
USER root
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}" \
 && pip install -r requirements-diffusion.txt \
 && mkdir -p /models /data/hf-cache \
 && chown videogen:videogen /models /data/hf-cache
# Weights come from /models (DIFFUSION_MODEL_DIR) or the HF cache; nothing is downloaded
# at job time.
ENV DIFFUSION_MODEL_DIR=/models \
    HF_HOME=/data/hf-cache \
    HF_HUB_OFFLINE=1
USER videogen
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "videogen.healthcheck", "worker"]
CMD ["python", "manage.py", "worker", "--queues", "gpu", "--in-process"]

# --- runtime (default target) ----------------------------------------------------------
FROM app AS runtime
