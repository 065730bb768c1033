"""Requests our servers make on a user's behalf (webhooks): where they may go, and
an HTTP POST that connects only to an address it has checked.

A URL is refused when its host is, or resolves to, a loopback, private, link-local,
multicast, reserved or cloud-metadata address, and when its scheme is not https.
``allow_private`` (the operator's ``VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE``, for local
development) lets http and private addresses through; metadata and multicast
addresses stay refused whatever the setting.

Every request resolves the host once, checks every address, and connects to a checked
address itself (TLS still verifies the certificate for the URL's host name), so a DNS
answer that changes between the check and the connection (rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

MAX_URL_LENGTH = 2000

# Cloud instance-metadata services, refused even when private addresses are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)


class UnsafeDestination(ValueError):
    """The URL may not be requested; the message says why, for the person who gave it."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent on the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def address_problem(address: str, *, allow_private: bool) -> str | None:
    """Why we may not connect to this IP address, or None."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address."
    if ip.is_multicast:
        return f"{ip} is a multicast address."
    if ip.is_unspecified:
        return f"{ip} is not a destination address."
    if allow_private:
        return None
    if ip.is_loopback:
        return f"{ip} is a loopback address."
    if ip.is_link_local:
        return f"{ip} is a link-local address."
    if ip.is_private:
        return f"{ip} is a private address."
    if ip.is_reserved or not ip.is_global:
        return f"{ip} is a reserved address."
    return None


def parse_url(url: str, *, allow_private: bool) -> Target:
    """Check a URL's shape (scheme, host, no credentials); raise UnsafeDestination."""
    if not isinstance(url, str) or not url:
        raise UnsafeDestination("Enter a URL.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeDestination(f"Must be at most {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise UnsafeDestination("Must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeDestination("Enter a valid URL.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme.lower() not in schemes:
        raise UnsafeDestination("Must be an https:// URL." if not allow_private else "Must be an http(s):// URL.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("Must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeDestination("Enter a valid URL with a host name.")
    try:
        host.encode("idna")
    except UnicodeError:
        raise UnsafeDestination("Enter a valid host name.") from None
    scheme = parts.scheme.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path)


def resolve(target: Target, *, allow_private: bool) -> list[str]:
    """The host's addresses, every one of them checked; raise UnsafeDestination."""
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise UnsafeDestination(f"The host name {target.host!r} does not resolve.") from None
        addresses = list(dict.fromkeys(info[4][0].split("%", 1)[0] for info in infos))
    if not addresses:
        raise UnsafeDestination(f"The host name {target.host!r} does not resolve.")
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            where = "" if literal is not None else f"{target.host} resolves to "
            raise UnsafeDestination(f"Not an allowed destination: {where}{problem}")
    return addresses


def check_url(url: str, *, allow_private: bool) -> Target:
    """parse_url + resolve: what registration runs."""
    target = parse_url(url, allow_private=allow_private)
    resolve(target, allow_private=allow_private)
    return target


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused, timed out, unsafe)
    body: str  # the first bytes of the answer, decoded leniently
    headers: dict
    duration_ms: int
    error: str = ""
    address: str = ""


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool,
         keep_bytes: int = 1024) -> Answer:
    """POST ``body``; never follows redirects, never raises for network trouble."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = parse_url(url, allow_private=allow_private)
        addresses = resolve(target, allow_private=allow_private)
    except UnsafeDestination as exc:
        return Answer(status=None, body="", headers={}, duration_ms=took(), error=f"Refused: {exc}")
    last_error = ""
    for address in addresses:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            break
        pool_options = dict(
            host=address, port=target.port, timeout=urllib3.Timeout(total=remaining), retries=False, maxsize=1,
        )
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                **pool_options, server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(**pool_options)
        try:
            response = pool.urlopen(
                "POST", target.path, body=body, headers={**headers, "Host": target.host_header},
                redirect=False, retries=False, preload_content=False, assert_same_host=False,
            )
        except urllib3.exceptions.NewConnectionError as exc:
            last_error = f"Connection to {address} failed: {_reason(exc)}"
            pool.close()
            continue
        except urllib3.exceptions.HTTPError as exc:
            pool.close()
            return Answer(status=None, body="", headers={}, duration_ms=took(), error=_reason(exc), address=address)
        try:
            first = response.read(keep_bytes, decode_content=False) or b""
        except urllib3.exceptions.HTTPError:
            first = b""
        finally:
            response.release_conn()
            pool.close()
        return Answer(status=response.status, body=first.decode("utf-8", "replace"), headers=dict(response.headers),
                      duration_ms=took(), address=address)
    return Answer(status=None, body="", headers={}, duration_ms=took(), error=last_error or "Timed out.")


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason or exc)
    return text[:500]
