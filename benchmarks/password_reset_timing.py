"""Password reset requests: does the answer's timing tell whether an account exists?

``reset_known_ms`` / ``reset_unknown_ms``: ``POST /api/v1/auth/password-reset`` for an
email with an account and one without, against gunicorn, interleaved, medians. Both
answer 202 with an empty body; the known one also writes the outbox row (the mail is
sent later by a worker), the unknown one does the same token and template work
without the row.

    .venv/bin/python -m benchmarks.password_reset_timing [--quick]
"""

from __future__ import annotations

import argparse
import time

from benchmarks.harness import Client, Stack, expect, median

DEFINITIONS = {
    "reset_known_ms": "POST /api/v1/auth/password-reset for an existing account, median",
    "reset_unknown_ms": "POST /api/v1/auth/password-reset for an email without an account, median",
}


def run(quick: bool = False) -> dict[str, float]:
    runs = 5 if quick else 25
    limits = {"MAIL_REQUEST_LIMIT_PER_ACCOUNT": "1000", "MAIL_REQUEST_LIMIT_PER_IP": "1000"}
    with Stack("reset", env=limits) as stack:
        stack.start()
        port = stack.start_web()
        known = "reset@bench.example.com"
        stack.register_and_login(known)
        client = Client(port)
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for n in range(runs):
            for kind, email in (("known", known), ("unknown", f"nobody{n}@bench.example.com")):
                started = time.perf_counter()
                expect(*client.request("POST", "/api/v1/auth/password-reset", {"email": email}), 202, "reset")
                timings[kind].append((time.perf_counter() - started) * 1000)
        client.close()
    figures = {"reset_known_ms": median(timings["known"]), "reset_unknown_ms": median(timings["unknown"])}
    print(f"password reset request: existing account {figures['reset_known_ms']:.1f} ms, "
          f"no account {figures['reset_unknown_ms']:.1f} ms", flush=True)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    run(quick=parser.parse_args().quick)
