"""Polite HTTP for the crawler: robots.txt obeyed (the standard library's parser), one request at
a time per host at the rate asked, waits on 429 and 5xx (as `Retry-After` says, else doubling),
timeouts, a size limit per page, redirects followed only within the allowed hosts and never in a
loop, and a User-Agent that names the project. Nothing is ever requested off the allowed hosts.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from tm._version import __version__

USER_AGENT = f"tm-fetch/{__version__} (the tm translation memory's crawler; obeys robots.txt)"
RETRIED = {429, 500, 502, 503, 504}
LONGEST_WAIT = 60.0  # seconds: a Retry-After asking for more is taken as this
MAX_REDIRECTS = 5


class Refused(Exception):
    """Not requested: robots.txt, or a host that is not allowed."""


class Failed(Exception):
    """Requested, and no page came of it (a timeout, an error status, a redirect loop)."""


@dataclass
class Answer:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    complete: bool  # False when the page was cut at the size limit


@dataclass
class PoliteClient:
    allow: set[str]  # hosts (host:port) that may be requested
    rate: float = 1.0  # requests a second per host
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    retries: int = 3
    sleep: Callable[[float], None] = time.sleep
    requests: int = 0
    _robots: dict[str, RobotFileParser] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=self.timeout, follow_redirects=False, trust_env=False
        )

    def close(self) -> None:
        self.http.close()

    def check(self, url: str) -> None:
        """Raise Refused unless `url` is on an allowed host and robots.txt lets us fetch it."""
        host = host_of(url)
        if host not in self.allow:
            raise Refused(f"{host} is not an allowed host")
        if not self._robots_of(url).can_fetch(USER_AGENT, url):
            raise Refused("disallowed by robots.txt")

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Answer:
        """GET `url` (conditionally, with the validators given), following redirects on allowed hosts."""
        seen = [url]
        while True:
            self.check(url)
            answer = self._get_once(url, etag, last_modified)
            if answer.status not in (301, 302, 303, 307, 308):
                return answer
            target = urljoin(url, answer.headers.get("location", ""))
            if target in seen or len(seen) > MAX_REDIRECTS:
                raise Failed(f"redirect loop ({' -> '.join([*seen, target])})")
            if host_of(target) not in self.allow:
                raise Refused(f"redirects to {host_of(target)}, not an allowed host")
            seen.append(target)
            url = target

    def _get_once(self, url: str, etag: str | None, last_modified: str | None) -> Answer:
        headers = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        wait = 1.0
        for attempt in range(self.retries + 1):
            self._pause(host_of(url))
            try:
                answer = self._request(url, headers)
            except httpx.TimeoutException:
                raise Failed(f"no answer within {self.timeout:g} s") from None
            except httpx.HTTPError as error:
                raise Failed(f"cannot connect ({error.__class__.__name__})") from None
            if answer.status not in RETRIED:
                return answer
            if attempt == self.retries:
                raise Failed(f"HTTP {answer.status} after {self.retries + 1} tries")
            self.sleep(min(_retry_after(answer.headers.get("retry-after")) or wait, LONGEST_WAIT))
            wait *= 2
        raise AssertionError("unreachable")

    def _request(self, url: str, headers: dict) -> Answer:
        self.requests += 1
        with self.http.stream("GET", url, headers=headers) as response:
            body, complete = bytearray(), True
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    body, complete = body[: self.max_bytes], False
                    break
            return Answer(url, response.status_code, response.headers, bytes(body), complete)

    def _pause(self, host: str) -> None:
        """Keep one request to `host` per 1/rate seconds."""
        last = self._last.get(host)
        if last is not None:
            self.sleep(max(0.0, last + 1 / self.rate - time.monotonic()))
        self._last[host] = time.monotonic()

    def _robots_of(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        host = parts.netloc
        if host not in self._robots:
            robots = RobotFileParser()
            address = f"{parts.scheme}://{host}/robots.txt"
            try:
                self._pause(host)
                answer = self._request(address, {})
            except httpx.HTTPError:
                answer = None
            if answer is None or answer.status >= 500:
                robots.disallow_all = True  # RFC 9309: an unreachable robots.txt disallows everything
            elif answer.status >= 400:
                robots.allow_all = True
            else:
                robots.parse(answer.body.decode("utf-8", "replace").splitlines())
            self._robots[host] = robots
        return self._robots[host]

    def sitemaps(self, url: str) -> list[str]:
        """The sitemaps robots.txt names for `url`'s host."""
        return list(self._robots_of(url).site_maps() or [])


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
