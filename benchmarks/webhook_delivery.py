"""Benchmark 6: webhook delivery, job completion to the receiver, and deliveries per second.

A receiver (a threaded http.server on loopback, answering 200) gets the events of a
real platform: gunicorn, ONE `manage.py worker` (which runs the webhook delivery
process beside itself), a fresh database and Redis db.

- ``webhook_latency_p95_ms``: jobs one at a time, the endpoint subscribed to
  job.completed; for each, the receiver's clock when the event arrived minus the
  job's ``completedAt`` (set in the completing transaction, just before its commit;
  same machine, same clock). Target: <= 500 ms on an idle machine.
- ``webhook_deliveries_per_s``: N deliveries written in one transaction (enqueued on
  commit) / (last arrival - commit), drained by that one delivery process.

    .venv/bin/python -m benchmarks.webhook_delivery [--quick]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.harness import Client, Stack, emit, expect, median, note, percentile

SPEC = {"prompt": "benchmark: a kite over a beach", "resolution": "480p", "quality": "low", "duration": 1}
DEFINITIONS = {
    "webhook_latency_p95_ms": "receiver got job.completed - the job's completedAt, one job at a time (p95)",
    "webhook_deliveries_per_s": "deliveries drained by one delivery process / (last arrival - commit)",
}


def _wait_delivery_workers(stack: Stack, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(stack.worker_states()) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"fewer than {count} workers registered:\n{stack.worker_log()}")
        time.sleep(0.05)


def latency_phase(client: Client, receiver, count: int) -> dict[str, list[float]]:
    """Per job: completion -> arrival, and its parts: completedAt -> the attempt's start
    (the commit, the enqueue, the delivery process picking it up) and the attempt's start
    -> arrival (the claim, signing, connecting, sending)."""
    from jobs.models import Job
    from jobs.webhooks.models import DeliveryAttempt

    phases: dict[str, list[float]] = {"total": [], "to_attempt": [], "attempt_to_arrival": []}
    for _ in range(count):
        seen = len(receiver.received)
        body = expect(*client.request("POST", "/api/v1/jobs", SPEC), 201, "create job")
        got = receiver.wait_for(seen + 1, timeout=60)[seen]
        assert got.json()["data"]["id"] == body["id"], got.json()
        completed_at = Job.objects.values_list("completed_at", flat=True).get(pk=body["id"]).timestamp()
        attempted_at = None
        deadline = time.monotonic() + 5  # the attempt is logged just after the answer
        while attempted_at is None and time.monotonic() < deadline:
            attempted_at = DeliveryAttempt.objects.filter(delivery__message_id=got.webhook_id).values_list(
                "attempted_at", flat=True).first()
            if attempted_at is None:
                time.sleep(0.01)
        phases["total"].append((got.arrived_at - completed_at) * 1000)
        if attempted_at is not None:
            phases["to_attempt"].append((attempted_at.timestamp() - completed_at) * 1000)
            phases["attempt_to_arrival"].append((got.arrived_at - attempted_at.timestamp()) * 1000)
    return phases


def throughput_phase(receiver, endpoint_id: str, count: int) -> float:
    from django.db import transaction

    from jobs.webhooks import fanout
    from jobs.webhooks.models import WebhookEndpoint, WebhookMessage

    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    seen = len(receiver.received)
    with transaction.atomic():
        for n in range(count):
            message = WebhookMessage.objects.create(user_id=endpoint.user_id, type="webhook.test",
                                                    body=f'{{"type":"webhook.test","n":{n}}}')
            fanout.deliveries_create(message=message, targets=[(endpoint, endpoint.url)])
        committing = time.time()
    got = receiver.wait_for(seen + count, timeout=60 + count)[seen:]
    return count / (max(r.arrived_at for r in got) - committing)


def run(quick: bool = False) -> dict[str, float]:
    from jobs.webhooks.tests.receiver import Receiver

    latency_jobs = 10 if quick else 40
    burst = 100 if quick else 500
    receiver = Receiver()
    receiver.thread.start()
    try:
        with Stack("webhooks", env={"VIDEOGEN_MAX_ACTIVE_JOBS_PER_USER": "1000000",
                                    "VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE": "1"}) as stack:
            stack.start()
            client = Client(stack.start_web(), stack.register_and_login("webhooks@bench.example.com"))
            stack.django()
            endpoint = expect(*client.request("POST", "/api/v1/webhooks", {"url": receiver.url,
                                                                           "events": ["job.completed"]}),
                              201, "register endpoint")
            stack.start_worker()
            _wait_delivery_workers(stack, 2)  # the render worker and the delivery process beside it
            latency_phase(client, receiver, 3)  # warm-up
            phases = latency_phase(client, receiver, latency_jobs)
            figures = {
                "webhook_latency_p50_ms": median(phases["total"]),
                "webhook_latency_p95_ms": percentile(phases["total"], 95),
                "webhook_completion_to_attempt_p50_ms": median(phases["to_attempt"]),
                "webhook_attempt_to_arrival_p50_ms": median(phases["attempt_to_arrival"]),
            }
            print(f"latency ({latency_jobs} jobs): p50 {figures['webhook_latency_p50_ms']:.1f} ms, "
                  f"p95 {figures['webhook_latency_p95_ms']:.1f} ms (p50 completion -> attempt "
                  f"{figures['webhook_completion_to_attempt_p50_ms']:.1f} ms, attempt -> arrival "
                  f"{figures['webhook_attempt_to_arrival_p50_ms']:.1f} ms)", flush=True)
            rates = [throughput_phase(receiver, endpoint["id"], burst) for _ in range(1 if quick else 3)]
            figures["webhook_deliveries_per_s"] = median(rates)
            print(f"throughput ({burst} deliveries): {figures['webhook_deliveries_per_s']:.1f}/s", flush=True)
            client.close()
    finally:
        receiver.stop()
    if quick:
        note(f"webhook_delivery --quick: {latency_jobs} jobs, {burst} deliveries once")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer jobs and deliveries")
    args = parser.parse_args()
    emit(run(quick=args.quick))


if __name__ == "__main__":
    main()
