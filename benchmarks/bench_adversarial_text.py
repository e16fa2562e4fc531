"""Pathological vs ordinary text: CPU time of reading each adversarial text, as a ratio.

For every named adversarial text of ``tests/extract/adversarial_texts.py`` (the field test's
reproductions and their kin) at ``--length`` characters (52 KB, as in the field test), prints
the CPU milliseconds of ``read_text``, ``qualify`` (a target every 100 characters) and the whole
``assess``, and each as a multiple of the same call on an ordinary dense note of the same
length; then the worst text. Issue 13's target: every ratio at most 3x, and cost linear in the
length (``--scaling`` also prints each text's time per character at half and double length).

``--before SRC`` measures another source tree (e.g. ``/work/main/src``) in a child process,
``assess`` only, best of three, each text given at most ``--budget`` seconds (wall clock, child
start-up included), and prints the figures side by side. Seconds are the process's CPU
seconds (``time.process_time``): on a shared machine wall time also counts other people's work.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "extract"))
from adversarial_texts import TEXTS, cpu_cost, ordinary

SPAN_EVERY = 100


def _readers() -> dict[str, Callable[[str], object]]:
    from mbcnav import assess
    from mbcnav.extract import qualify, read_text
    from mbcnav.knowledge import load_knowledge

    knowledge = load_knowledge()
    assess({"text": "back pain"}, knowledge=knowledge)  # warm-up: compiles the automaton

    def spans(text: str) -> list[tuple[int, int]]:
        return [(at, min(at + 5, len(text))) for at in range(0, len(text), SPAN_EVERY)]

    return {
        "read_text": partial(read_text, knowledge=knowledge),
        "qualify": lambda text: qualify(text, spans(text)),
        "assess": lambda text: assess({"text": text}, knowledge=knowledge),
    }


def measure(
    names: list[str], length: int, runs: int, only: str | None = None
) -> dict[str, dict[str, float]]:
    """CPU seconds per text (``ordinary`` first) and reader."""
    readers = _readers()
    if only:
        readers = {only: readers[only]}
    texts = {"ordinary": ordinary(length), **{name: TEXTS[name](length) for name in names}}
    return {
        name: {reader: cpu_cost(partial(read, text), runs=runs) for reader, read in readers.items()}
        for name, text in texts.items()
    }


def _child(name: str, length: int, budget: float) -> None:
    """One text in this process, assess only (best of three unless one run takes a quarter of
    the budget). The parent stops it past the budget: an RLIMIT_CPU here would make
    ``process_time`` tick in 4 ms steps on Linux."""
    readers = _readers()
    text = ordinary(length) if name == "ordinary" else TEXTS[name](length)
    print(json.dumps(cpu_cost(partial(readers["assess"], text), runs=3, give_up=budget / 4)))


def measure_before(
    source: str, names: list[str], length: int, budget: float
) -> dict[str, float | None]:
    """``assess`` CPU seconds per text with ``source`` on the path; None past the budget."""
    env = {**os.environ, "PYTHONPATH": source}
    out: dict[str, float | None] = {}
    for name in ["ordinary", *names]:
        command = [sys.executable, __file__, "--child", name, "--length", str(length)]
        command += ["--budget", str(budget)]
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True, check=False, timeout=budget
            )
        except subprocess.TimeoutExpired:
            out[name] = None
        else:
            out[name] = json.loads(done.stdout) if done.returncode == 0 else None
        print(f"  before: {name:28s} {_ms(out[name], budget)}", file=sys.stderr, flush=True)
    return out


def _ms(seconds: float | None, budget: float) -> str:
    return f">{budget:.0f} s" if seconds is None else f"{seconds * 1e3:9.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=52_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--names", nargs="*", default=sorted(TEXTS))
    parser.add_argument("--scaling", action="store_true", help="also half and double length")
    parser.add_argument("--before", metavar="SRC", help="another source tree to compare with")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per text (--before)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.length, args.budget)
        return 0
    before = {}
    if args.before:
        before = measure_before(args.before, args.names, args.length, args.budget)
    after = measure(args.names, args.length, args.runs)
    base = after["ordinary"]
    readers = list(base)
    print(f"{args.length:,} characters; CPU ms and multiple of an ordinary note's")
    header = "".join(f"{reader:>22s}" for reader in readers)
    print(f"{'text':28s}{header}" + (f"{'assess before':>24s}" if before else ""))
    worst: dict[str, tuple[float, str]] = {reader: (0.0, "") for reader in readers}
    for name, costs in after.items():
        cells = ""
        for reader in readers:
            ratio = costs[reader] / base[reader]
            worst[reader] = max(worst[reader], (ratio, name))
            cells += f"{costs[reader] * 1e3:12.1f} ({ratio:5.1f}x)"
        if before:
            old, old_base = before.get(name), before.get("ordinary")
            ratio_text = "(   --  )"
            if old is not None and old_base:
                ratio_text = f"({old / old_base:7.1f}x)"
            cells += f"  {_ms(old, args.budget)} {ratio_text}"
        print(f"{name:28s}{cells}")
    for reader, (ratio, name) in worst.items():
        print(f"worst for {reader}: {name} at {ratio:.1f}x an ordinary note")
    old_base = before.get("ordinary")
    if old_base:
        old_ratios = {
            name: (cost / old_base if cost is not None else float("inf"))
            for name, cost in before.items()
            if name != "ordinary"
        }
        name = max(old_ratios, key=lambda key: old_ratios[key])
        print(f"worst for assess before: {name} at {old_ratios[name]:.1f}x an ordinary note")
    if args.scaling:
        print("time per character (us) at half, full and double length: read_text")
        for name in args.names:
            per_char = [
                measure([name], length, args.runs, only="read_text")[name]["read_text"] / length
                for length in (args.length // 2, args.length, args.length * 2)
            ]
            print(f"{name:28s}" + "".join(f"{value * 1e6:9.3f}" for value in per_char))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
