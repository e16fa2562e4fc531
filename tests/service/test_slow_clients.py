"""Fair under load: 100 slow unauthenticated connections cannot starve authenticated callers.

A real `mbcnav serve` on loopback with a small in-flight limit; half the slow connections
trickle their headers, half send headers and then trickle a body. Authenticated calls made
meanwhile are all answered, and the server ends the slow connections at their deadlines.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from service_support import serving

TOKEN = "slow-clients-test-token"
ENV = {
    "MBCNAV_API_TOKENS": TOKEN,
    "MBCNAV_MAX_IN_FLIGHT": "4",
    "MBCNAV_HEADER_TIMEOUT_S": "3",
    "MBCNAV_BODY_TIMEOUT_S": "3",
}
SLOW_HEADERS = b"POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
SLOW_BODY = (
    b"POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n"
)


def _open(host: str, port: int, first: bytes) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=5)
    sock.sendall(first)
    return sock


def _trickle(socks: list[socket.socket], stop: threading.Event) -> None:
    """One byte on every slow connection every half second, as a slowloris client does."""
    while not stop.wait(0.5):
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.send(b"x")


def _closed_by_server(sock: socket.socket) -> bytes | None:
    """What the server sent before closing (b"" if nothing), or None if it is still open."""
    sock.settimeout(0.2)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except OSError:
        pass
    return received


def test_authenticated_callers_are_answered_while_slow_connections_are_open(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, env=ENV) as base:
        url = urlsplit(base)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        slow_headers = [_open(host, port, SLOW_HEADERS[:20]) for _ in range(50)]
        slow_bodies = [_open(host, port, SLOW_BODY + b'{"text": "') for _ in range(50)]
        stop = threading.Event()
        trickler = threading.Thread(target=_trickle, args=(slow_headers + slow_bodies, stop))
        trickler.start()
        try:
            time.sleep(0.5)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
                timings = []
                for _ in range(20):
                    started = time.perf_counter()
                    response = client.post("/v1/assess", json={"text": "new back pain"})
                    timings.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text
            assert max(timings) < 2.0, timings
            time.sleep(4.0)  # past both deadlines
            endings = [_closed_by_server(sock) for sock in slow_headers + slow_bodies]
        finally:
            stop.set()
            trickler.join()
            for sock in slow_headers + slow_bodies:
                sock.close()
    assert all(ending is not None for ending in endings), "a slow connection was left open"
    body_answers = endings[50:]
    assert all(b" 408 " in (answer or b"") for answer in body_answers)
    assert all(b"MBC-E510" in (answer or b"") for answer in body_answers)


def test_unauthenticated_call_is_still_refused_at_once(tmp_path: Path) -> None:
    with serving(tmp_path, env=ENV) as base:
        response = httpx.post(f"{base}/v1/assess", json={"text": "x"}, timeout=10)
        assert response.status_code == 401 and response.json()["code"] == "MBC-E500"
