"""Health endpoints.

GET /api/v1/health: can the platform take and run jobs right now? Database, Redis,
workers seen in the last minute per queue, queue depths; 503 naming what fails.

GET /api/v1/health/live: is this web process serving? Touches nothing else, so a
container probe does not mark the web server unhealthy (and restart it) because a
worker or the database is down.
"""

from __future__ import annotations

import logging

from datetime import datetime, timedelta, timezone

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs import queueing
from jobs.catalog import all_models, default_model_id, get_model

logger = logging.getLogger("videogen.health")
WORKER_SEEN_WITHIN = timedelta(minutes=1)


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any driver error means "down"
        logger.warning("health: database check failed", exc_info=True)
        return {"ok": False, "error": type(exc).__name__}


def check_redis_and_workers() -> tuple[dict, dict, dict]:
    try:
        redis = queueing.connection()
        redis.ping()
    except Exception as exc:
        # The public endpoint names the failure, never hosts or users; the log has the rest.
        logger.warning("health: redis check failed", exc_info=True)
        return {"ok": False, "error": type(exc).__name__}, {}, {}
    now = datetime.now(timezone.utc)
    workers: dict[str, int] = {}
    depths: dict[str, int] = {}
    for name in queueing.queue_names():
        queue = queueing.get_queue(name)
        depths[name] = queue.count
        alive = 0
        for worker in queueing.workers_for(queue):
            seen = worker.last_heartbeat
            if seen is not None and seen.tzinfo is None:
                seen = seen.replace(tzinfo=timezone.utc)
            if seen is not None and now - seen <= WORKER_SEEN_WITHIN:
                alive += 1
        workers[name] = alive
    return {"ok": True}, workers, depths


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.DictField()}),
            503: inline_serializer("HealthFailing", {"status": serializers.CharField(), "failing": serializers.ListField()}),
        }
    )
    def get(self, request):
        database = check_database()
        redis, workers, depths = check_redis_and_workers()
        failing = []
        if not database["ok"]:
            failing.append("database")
        if not redis["ok"]:
            failing.append("redis")
        default = get_model(default_model_id())
        needed_queues = sorted({default.queue} if default else {m.queue for m in all_models()})
        if redis["ok"] and not any(workers.get(name, 0) for name in needed_queues):
            failing.append("workers")
        body = {
            "status": "ok" if not failing else "unavailable",
            "failing": failing,
            "database": database,
            "redis": redis,
            "workers": workers,
            "queues": depths,
        }
        return Response(body, status=503 if failing else 200)


class LiveView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: inline_serializer("Live", {"status": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok"})
