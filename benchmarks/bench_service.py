"""Latency and throughput of the HTTP service under load on loopback.

Starts ``mbcnav serve --dev`` (one uvicorn worker, SQLite audit) on a free loopback port, then
runs an open-loop load generator in a separate process: requests are *scheduled* at a fixed
rate (default 200/s) for a bounded time, and each latency is measured from its scheduled start
(so a stalled server cannot hide its queueing). Two scenarios, each with a 3,000-character
clinic note: ``POST /v1/assess`` and a CDS Hooks ``patient-view`` call with full prefetch.

    .venv/bin/python benchmarks/bench_service.py [--rate 200] [--seconds 10]

Prints one line: p50/p99 latency (ms), throughput (req/s) and errors per scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx

BASE_NOTE = (
    "Follow-up visit for metastatic breast cancer, ER positive, HER2 zero. She reports new back "
    "pain for three weeks, worse at night, and some numbness in both feet. No headache, no "
    "vomiting. Appetite reduced, lost 3 kg. Mild cough, no haemoptysis. Denies shortness of "
    "breath. Mother had breast cancer. Previously treated with letrozole and palbociclib. "
)
NOTE = (BASE_NOTE * 20)[:3000]
PATIENT = {
    "text": NOTE,
    "receptors": {"er": "positive", "pr": "positive", "her2": "zero"},
    "setting": "metastatic",
    "known_sites": ["site:bone"],
}


WARMUP = 32


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
                    "data": base64.b64encode(NOTE.encode()).decode(),
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


async def _generate(base: str, kind: str, rate: float, seconds: float) -> dict[str, Any]:
    total = int(rate * seconds)
    url = f"{base}/v1/assess" if kind == "assess" else f"{base}/cds-services/mbcnav-patient-view"
    bodies = [PATIENT] if kind == "assess" else [hook_request(i) for i in range(100)]
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        warm = [client.post(url, json=bodies[i % len(bodies)]) for i in range(WARMUP)]
        await asyncio.gather(*warm, return_exceptions=True)
        gc.collect()
        gc.freeze()
        start = time.perf_counter() + 0.2

        async def one(i: int) -> None:
            nonlocal errors
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                response = await client.post(url, json=bodies[i % len(bodies)])
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            done = time.perf_counter()
            if ok:
                latencies.append((done - scheduled) * 1000)
            else:
                errors += 1
            finished.append(done)

        finished: list[float] = []
        await asyncio.gather(*(one(i) for i in range(total)))
    latencies.sort()
    span = max(finished) - start if finished else float("nan")
    return {
        "kind": kind,
        "requests": total,
        "errors": errors,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        if latencies
        else float("nan"),
        "throughput_rps": len(latencies) / span,
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
    result["server_cpu_ms"] = (_server_cpu_s(pid) - before) * 1000 / done
    return result


def _start_server(data_dir: str, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MBCNAV_")}
    env["MBCNAV_DATA_DIR"] = data_dir
    env["MBCNAV_THREADS"] = str(threads)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4, help="MBCNAV_THREADS per worker")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="assess", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        print(json.dumps(asyncio.run(_generate(args.generate, args.kind, args.rate, args.seconds))))
        return
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="mbcnav-bench-") as data_dir:
        server, base = _start_server(data_dir, args.workers, args.threads)
        try:
            _run_generator(base, "assess", 50, 1)
            _run_generator(base, "patient-view", 50, 1)
            results = [
                _measure(server.pid, base, kind, args.rate, args.seconds)
                for kind in ("assess", "patient-view")
            ]
        finally:
            server.terminate()
            server.wait(timeout=15)
    parts = [
        f"{r['kind']}: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"{r['throughput_rps']:.0f} req/s, {r['errors']}/{r['requests']} errors, "
        f"server CPU {r['server_cpu_ms']:.1f} ms/req"
        for r in results
    ]
    print(
        f"bench_service @ {args.rate:.0f} req/s x {args.seconds:.0f} s, 3,000-char note, "
        f"loopback, {args.workers} worker(s) x {args.threads} threads, SQLite audit, "
        f"load before {load_before:.1f} | " + " | ".join(parts)
    )


if __name__ == "__main__":
    main()
