"""Latency and throughput of the HTTP service under load on loopback.

Starts ``mbcnav serve --dev`` (one HTTP process, two engine processes, SQLite audit by default)
on a free loopback port, then runs an open-loop load generator in a separate process: requests
are *scheduled* at a fixed rate (default 200/s) for a bounded time, and each latency is measured
from its scheduled start, so a stalled server cannot hide its queueing (no coordinated
omission). Two scenarios, each with a different
3,000-character clinic note per request: ``POST /v1/assess`` and a CDS Hooks ``patient-view``
call with full prefetch.

The generator speaks HTTP/1.1 over raw asyncio streams with pre-encoded requests and keep-alive
connections. It shares the two cores with the server, so it is built to cost little CPU
(a general-purpose client such as httpx needs more CPU per request than the server is allowed);
its own CPU per request is printed next to the server's.

    .venv/bin/python benchmarks/bench_service.py [--rate 200] [--seconds 10]
        [--workers 1] [--engine-processes 2] [--database-url postgresql://…]

Prints one line per scenario: p50/p99/max latency (ms), throughput, errors, and CPU per request.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from clinic_notes import clinic_note, patient_request

VARIANTS = 400
WARMUP = 64
HOOK_PATH = "/cds-services/mbcnav-patient-view"


def hook_request(index: int) -> dict[str, Any]:
    pid = f"bench-{index % 50}"
    subject = {"reference": f"Patient/{pid}"}
    note = {
        "resourceType": "DocumentReference",
        "status": "current",
        "subject": subject,
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain",
                    "data": base64.b64encode(clinic_note(index).encode()).decode(),
                }
            }
        ],
    }
    marker = {
        "resourceType": "Observation",
        "status": "final",
        "subject": subject,
        "code": {"coding": [{"system": "http://loinc.org", "code": "85337-4"}]},
        "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA6576-8"}]},
    }
    bone = {
        "resourceType": "Condition",
        "subject": subject,
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "94222008"}]},
    }

    def searchset(resource: dict[str, Any]) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": resource}]}

    return {
        "hook": "patient-view",
        "hookInstance": f"bench-{index}",
        "context": {"userId": "Practitioner/1", "patientId": pid},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": pid, "gender": "female"},
            "conditions": searchset(bone),
            "observations": searchset(marker),
            "questionnaireResponses": {"resourceType": "Bundle", "type": "searchset"},
            "notes": searchset(note),
        },
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- load generator process


def encode_post(host: str, path: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"


async def _generate(base: str, kind: str, rate: float, seconds: float) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    path = "/v1/assess" if kind == "assess" else HOOK_PATH
    build = patient_request if kind == "assess" else hook_request
    payloads = [encode_post(f"{host}:{port}", path, build(i)) for i in range(VARIANTS)]
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    finished: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}

    async def send(payload: bytes) -> int:
        """One request; a kept-alive connection the server has closed meanwhile (its idle
        timeout) is retried once on a new connection, as HTTP clients do."""
        reused = bool(idle)
        reader, writer = idle.pop() if idle else await asyncio.open_connection(host, int(port))
        try:
            writer.write(payload)
            status, keep = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            writer.close()
            return await send_fresh(payload) if reused else 0
        if keep:
            idle.append((reader, writer))
        else:
            writer.close()
        return status

    async def send_fresh(payload: bytes) -> int:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(payload)
            status, keep = await read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            return 0
        if keep:
            idle.append((reader, writer))
        else:
            writer.close()
        return status

    await asyncio.gather(*(send(payloads[i % VARIANTS]) for i in range(WARMUP)))
    gc.collect()
    gc.freeze()
    total = int(rate * seconds)
    cpu_before = time.process_time()
    start = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        nonlocal errors
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        status = await send(payloads[(i + WARMUP) % VARIANTS])
        done = time.perf_counter()
        if status == 200:
            latencies.append((done - scheduled) * 1000)
        else:
            errors += 1
            statuses[status] = statuses.get(status, 0) + 1
        finished.append(done)

    await asyncio.gather(*(one(i) for i in range(total)))
    cpu = time.process_time() - cpu_before
    latencies.sort()
    span = max(finished) - start if finished else float("nan")
    return {
        "kind": kind,
        "requests": total,
        "errors": errors,
        "error_statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else float("nan"),
        "max_ms": latencies[-1] if latencies else float("nan"),
        "throughput_rps": len(latencies) / span,
        "generator_cpu_ms": cpu * 1000 / max(1, total),
    }


def _run_generator(base: str, kind: str, rate: float, seconds: float) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--generate",
        base,
        "--kind",
        kind,
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------- server under test


def _server_cpu_s(pid: int) -> float:
    """CPU seconds used so far by the server process and its workers (from /proc)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _measure(pid: int, base: str, kind: str, rate: float, seconds: float) -> dict[str, Any]:
    before = _server_cpu_s(pid)
    result = _run_generator(base, kind, rate, seconds)
    done = max(1, result["requests"] - result["errors"])
    result["server_cpu_ms"] = (_server_cpu_s(pid) - before) * 1000 / (done + WARMUP)
    return result


def _start_server(
    data_dir: str, workers: int, threads: int, database_url: str | None, extra: list[str]
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MBCNAV_")}
    env["MBCNAV_DATA_DIR"] = data_dir
    env["MBCNAV_THREADS"] = str(threads)
    if database_url:
        env["MBCNAV_DATABASE_URL"] = database_url
    env.update(item.split("=", 1) for item in extra)
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mbcnav.cli import main; main()",
            "serve",
            "--dev",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the service did not become ready")


SLOW_REQUEST = (
    b"POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 4000\r\n\r\n"
)


def _hold_slow_connections(base: str, count: int, stop: threading.Event) -> None:
    """``count`` slowloris connections for as long as ``stop`` is clear: half trickle their
    headers, half their body, a byte every half second; one closed by the server is reopened,
    so ``count`` stay open throughout."""
    host, port = base.removeprefix("http://").split(":")

    def opened(index: int) -> socket.socket:
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(SLOW_REQUEST[:20] if index % 2 else SLOW_REQUEST)
        return sock

    socks = [opened(i) for i in range(count)]
    while not stop.wait(0.5):
        for index, sock in enumerate(socks):
            try:
                sock.send(b"x")
            except OSError:
                sock.close()
                socks[index] = opened(index)
    for sock in socks:
        sock.close()


def _line(result: dict[str, Any]) -> str:
    return (
        f"{result['kind']}: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"max {result['max_ms']:.0f} ms, {result['throughput_rps']:.0f} req/s, "
        f"{result['errors']}/{result['requests']} errors {result['error_statuses'] or ''}, "
        f"CPU per request: server "
        f"{result['server_cpu_ms']:.2f} ms, generator {result['generator_cpu_ms']:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn HTTP processes")
    parser.add_argument(
        "--engine-processes", type=int, default=2, help="MBCNAV_ENGINE_PROCESSES (0: threads)"
    )
    parser.add_argument("--threads", type=int, default=2, help="MBCNAV_THREADS per worker")
    parser.add_argument("--kinds", default="assess,patient-view")
    parser.add_argument(
        "--database-url", help="audit database (e.g. postgresql://postgres@127.0.0.1:5432/db)"
    )
    parser.add_argument(
        "--setting", action="append", default=[], help="MBCNAV_X=value for the server (repeat)"
    )
    parser.add_argument(
        "--slow-connections",
        type=int,
        default=0,
        help="hold this many slowloris connections open while measuring",
    )
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="assess", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        import uvloop

        uvloop.install()
        print(json.dumps(asyncio.run(_generate(args.generate, args.kind, args.rate, args.seconds))))
        return
    kinds = args.kinds.split(",")
    database = "PostgreSQL" if (args.database_url or "").startswith("postg") else "SQLite"
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mbcnav-bench-") as data_dir:
        server, base = _start_server(
            data_dir,
            args.workers,
            args.threads,
            args.database_url,
            [f"MBCNAV_ENGINE_PROCESSES={args.engine_processes}", *args.setting],
        )
        stop = threading.Event()
        slow = threading.Thread(
            target=_hold_slow_connections, args=(base, args.slow_connections, stop), daemon=True
        )
        try:
            for kind in kinds:
                _run_generator(base, kind, min(args.rate, 100), 2)
            if args.slow_connections:
                slow.start()
                time.sleep(1.0)
            results = [_measure(server.pid, base, kind, args.rate, args.seconds) for kind in kinds]
        finally:
            stop.set()
            if slow.is_alive():
                slow.join()
            server.terminate()
            server.wait(timeout=15)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"bench_service @ {args.rate:.0f} req/s x {args.seconds:.0f} s, 3,000-char notes, "
        f"loopback, {args.workers} HTTP process(es), {args.engine_processes} engine processes, "
        f"{args.threads} threads, {database} audit, "
        f"load before {load_before:.1f}, peak child RSS {peak:.0f} MB"
        + (f", {' '.join(args.setting)}" if args.setting else "")
        + (f", {args.slow_connections} slow connections held open" if args.slow_connections else "")
    )
    for result in results:
        print("  " + _line(result))


if __name__ == "__main__":
    main()
