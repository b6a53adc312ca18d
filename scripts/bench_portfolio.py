"""`make bench`, portfolio section (issue 14): 10,000 generated declarations through
`resguarda portfolio` with the local pool and with Dask (2-worker LocalCluster): wall time,
declarations per core-second, peak memory of the whole process tree; and the per-declaration load and
evaluation times against 1.0's (35 ms and 12 ms).

RESGUARDA_BENCH_PORTFOLIO_N changes the size (default 10000). The generated portfolio is kept in
bench-data/ between runs.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_portfolio import generate  # noqa: E402

from checker.api import evaluate_loaded  # noqa: E402
from checker.catalog import load_catalog  # noqa: E402
from checker.errors import InputError  # noqa: E402
from checker.locations import load_yaml_file  # noqa: E402
from checker.validate import load_declaration  # noqa: E402

AS_OF = "2026-11-20"
BEFORE_LOAD_MS, BEFORE_EVAL_MS = 35.0, 12.0   # 1.0 on the AI center (round-trip loader)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the proportional set size (shared pages counted once) of a process and its children."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            tree = _children()
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(tree.get(pid, []))
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in pids))
            self.stop.wait(0.25)


def run_portfolio(manifest: Path, out: Path, *extra: str) -> tuple[float, float, float, str]:
    """(wall seconds, peak MiB of the process tree, CPU seconds of the tree, the CLI's summary line)."""
    exe = Path(sys.executable).parent / "resguarda"
    cmd = [str(exe), "portfolio", str(manifest), "-o", str(out), "--as-of", AS_OF, "--group-by", "state",
           "--reports", "15", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, CI="1"))
    sampler = TreeMemory(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, sampler.peak_kib / 1024, cpu, (err.strip().splitlines() or [""])[0]


def per_declaration(folder: Path, n: int = 300) -> None:
    catalog = load_catalog()
    as_of = date.fromisoformat(AS_OF)
    example = ROOT / "examples" / "ai-center.yaml"
    load_yaml_file(example)
    yaml_ms = min(_timed(lambda: load_yaml_file(example)) for _ in range(20)) * 1000
    loaded = load_declaration(example, "ai-center.yaml")
    evaluate_loaded(loaded, as_of=as_of, catalog=catalog)
    ai_load = statistics.median(_timed(lambda: load_declaration(example, "ai-center.yaml")) for _ in range(20)) * 1000
    ai_eval = statistics.median(_timed(lambda: evaluate_loaded(loaded, as_of=as_of, catalog=catalog))
                                for _ in range(20)) * 1000
    print(f"AI center: YAML with locations {yaml_ms:.1f} ms (1.0: {BEFORE_LOAD_MS:.0f} ms on the round-trip loader, "
          f"{BEFORE_LOAD_MS / yaml_ms:.0f}x); whole load with validation {ai_load:.1f} ms; "
          f"evaluation {ai_eval:.1f} ms (1.0: {BEFORE_EVAL_MS:.0f} ms)")
    loads, evals = [], []
    for path in sorted(folder.rglob("*.yaml"))[:n]:
        start = time.perf_counter()
        try:
            one = load_declaration(path)
        except InputError:
            continue
        mid = time.perf_counter()
        evaluate_loaded(one, as_of=as_of, catalog=catalog)
        loads.append(mid - start)
        evals.append(time.perf_counter() - mid)
    print(f"{len(loads)} generated declarations: load median {statistics.median(loads) * 1000:.1f} ms, "
          f"evaluation median {statistics.median(evals) * 1000:.1f} ms")


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    n = int(os.environ.get("RESGUARDA_BENCH_PORTFOLIO_N", "10000"))
    data = ROOT / "bench-data" / f"portfolio-{n}"
    manifest = data / "manifest.csv"
    if not manifest.exists():
        start = time.perf_counter()
        generate(n, data)
        print(f"generated {n} declarations in {time.perf_counter() - start:.1f} s ({data})")
    per_declaration(data / "decl")
    cores = len(os.sched_getaffinity(0))
    load = os.getloadavg()[0]
    print(f"machine: {cores} cores, load average {load:.1f} when the runs start")
    for label, extra in (("local pool", []), ("dask LocalCluster, 2 workers", ["--engine", "dask", "--jobs", "2"])):
        wall, peak_mib, cpu, line = run_portfolio(manifest, data.parent / f"portfolio-{n}-out", *extra)
        rate = n / (wall * cores)
        # On a shared machine the wall time depends on the neighbours; the CPU time does not, and
        # CPU / cores is the wall time the same run takes with the cores to itself.
        print(f"portfolio of {n}, {label}: {wall:.1f} s wall (target < 60 s) {'OK' if wall < 60 else 'OVER'}; "
              f"{rate:.1f} declarations per core-second of wall; CPU {cpu:.1f} s = {1000 * cpu / n:.1f} ms per "
              f"declaration ({n / cpu:.1f} per CPU-second; {cpu / cores:.0f} s on {cores} idle cores); peak memory "
              f"{peak_mib:.0f} MiB (target < 1024) {'OK' if peak_mib < 1024 else 'OVER'}\n    {line}")


if __name__ == "__main__":
    main()
