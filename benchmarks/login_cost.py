"""Benchmark 5: what one login costs (bcrypt-SHA256 at 12 rounds dominates).

``login_ms``: ``POST /api/v1/auth/login`` with the right password against gunicorn
(as the Dockerfile serves it), median of sequential logins. Beside it, the hash
alone in this process: ``login_hash_ms`` is one bcrypt check at the same rounds
(what a login verifies), so login_ms - login_hash_ms is everything else (HTTP, the
throttle's queries, the user row, issuing the JWT pair and its outstanding row).

    .venv/bin/python -m benchmarks.login_cost [--quick]
"""

from __future__ import annotations

import argparse
import binascii
import hashlib
import time

from benchmarks.harness import PASSWORD, Client, Stack, emit, expect, median

ROUNDS = 12
DEFINITIONS = {
    "login_ms": f"POST /api/v1/auth/login (bcrypt-SHA256, {ROUNDS} rounds), median of sequential logins",
    "login_hash_ms": f"baseline: one bcrypt-SHA256 check at {ROUNDS} rounds in-process, median",
}


def hash_check_ms(runs: int) -> float:
    """One check of a bcrypt-SHA256 hash, as Django's BCryptSHA256PasswordHasher does it."""
    import bcrypt

    prehashed = binascii.hexlify(hashlib.sha256(PASSWORD.encode()).digest())
    stored = bcrypt.hashpw(prehashed, bcrypt.gensalt(ROUNDS))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        assert bcrypt.checkpw(prehashed, stored)
        timings.append((time.perf_counter() - started) * 1000)
    return median(timings)


def run(quick: bool = False) -> dict[str, float]:
    runs = 3 if quick else 9
    with Stack("login", env={"PASSWORD_HASH_ROUNDS": str(ROUNDS)}) as stack:
        stack.start()
        port = stack.start_web()
        email = "login@bench.example.com"
        stack.register_and_login(email)
        client = Client(port)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            expect(*client.request("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}), 200, "login")
            timings.append((time.perf_counter() - started) * 1000)
        client.close()
    figures = {"login_ms": median(timings), "login_hash_ms": hash_check_ms(runs)}
    print(f"login {figures['login_ms']:.0f} ms, of which the bcrypt check alone {figures['login_hash_ms']:.0f} ms",
          flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer logins")
    args = parser.parse_args()
    emit(run(quick=args.quick))


if __name__ == "__main__":
    main()
