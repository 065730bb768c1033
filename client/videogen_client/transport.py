"""HTTP with retries: connection failures, 502/503/504 and 429 (honouring Retry-After)
are retried with exponential backoff and jitter.

A request that may have reached the server (a read error, a 502 or 504) is repeated
only when repeating it is safe: a GET/HEAD/DELETE, or a request with an
Idempotency-Key (the server answers the first job again instead of making a second).
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Optional

import httpx

from videogen_client.errors import ConnectionFailed, error_for

RETRY_STATUSES = {429, 502, 503, 504}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "DELETE"}
MAX_RETRY_AFTER = 120.0


def _retry_after(response: httpx.Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class Transport:
    def __init__(self, base_url: str, api_key: Optional[str], *, timeout: float = 30.0, retries: int = 5,
                 backoff: float = 0.5, max_backoff: float = 20.0, sleep: Callable[[float], None] = time.sleep,
                 user_agent: str = "videogen-client"):
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep

    def close(self) -> None:
        self.http.close()

    def _delay(self, attempt: int, response: Optional[httpx.Response]) -> float:
        if response is not None and response.status_code in (429, 503):
            after = _retry_after(response)
            if after is not None:
                return min(after, MAX_RETRY_AFTER)
        exponential = min(self.max_backoff, self.backoff * (2 ** attempt))
        return exponential * (0.5 + random.random() / 2)

    def send(self, method: str, path: str, *, json: Any = None, params: Optional[dict] = None,
             headers: Optional[dict] = None, stream: bool = False) -> httpx.Response:
        """The response of a 2xx/3xx; raises the typed APIError for others, ConnectionFailed
        when the server stayed unreachable. A streamed response must be closed by the caller."""
        method = method.upper()
        repeatable = method in SAFE_METHODS or bool(headers and headers.get("Idempotency-Key"))
        attempt = 0
        while True:
            response = None
            try:
                request = self.http.build_request(method, path, json=json, params=params, headers=headers)
                response = self.http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error: Optional[Exception] = exc  # never reached the server: always safe to repeat
            except httpx.TransportError as exc:
                if not repeatable:
                    raise ConnectionFailed(f"{method} {path}: {exc}") from exc
                error = exc
            else:
                error = None
                status = response.status_code
                retryable = status in (429, 503) or (status in (502, 504) and repeatable)
                if not retryable:
                    if status >= 400:
                        if stream:
                            response.read()
                        raise error_for(status, _body(response), _retry_after(response))
                    return response
            if attempt >= self.retries:
                if error is not None:
                    raise ConnectionFailed(f"{method} {self.base_url}{path}: {error}") from error
                if stream:
                    response.read()
                raise error_for(response.status_code, _body(response), _retry_after(response))
            delay = self._delay(attempt, response)
            if response is not None:
                response.close()
            self.sleep(delay)
            attempt += 1

    def json(self, method: str, path: str, **kwargs) -> Any:
        response = self.send(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()
