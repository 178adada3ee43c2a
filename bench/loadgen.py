"""A small closed-loop HTTP load generator: N clients, each sending its next request when
the previous answer arrives, for a bounded time and a bounded number of requests.

Only loopback targets are allowed. Latency is measured per request, from send to the last
byte of the body.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    url: str
    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float

    def as_dict(self) -> dict[str, float | int | str]:
        return dict(self.__dict__)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def run(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    clients: int = 1,
    duration: float = 10.0,
    max_requests: int = 20000,
    warmup: int = 20,
) -> Result:
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("the load generator only targets this machine")
    host, port = parts.hostname, parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    send_headers = {"Connection": "close", **(headers or {})}

    def one() -> tuple[float, bool]:
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", target, headers=send_headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except OSError:
            ok = False
        finally:
            conn.close()
        return (time.perf_counter() - started) * 1000, ok

    for _ in range(warmup):
        one()

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    budget = [max_requests]

    def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            ms, ok = one()
            with lock:
                latencies.append(ms)
                if not ok:
                    errors += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return Result(
        url=target,
        clients=clients,
        requests=len(ordered),
        errors=errors,
        seconds=round(elapsed, 2),
        p50_ms=round(statistics.median(ordered), 2) if ordered else float("nan"),
        p95_ms=round(_percentile(ordered, 0.95), 2),
        p99_ms=round(_percentile(ordered, 0.99), 2),
        rps=round(len(ordered) / elapsed, 1) if elapsed else 0.0,
    )
