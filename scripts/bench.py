"""`make bench`: speed and memory figures for the README and the closing notes.

Targets (issue 2): evaluation under 20 ms per declaration; `resguarda evaluate --format json` under
0.5 s wall on a 2-core machine. The report (issue 4) and scan-import (issue 5) benchmarks run after.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.api import evaluate_loaded  # noqa: E402
from checker.catalog import load_catalog  # noqa: E402
from checker.validate import load_declaration  # noqa: E402

EXAMPLE = ROOT / "examples" / "ai-center.yaml"


def bench_in_process() -> None:
    catalog = load_catalog()
    loaded = load_declaration(EXAMPLE, "ai-center.yaml")
    as_of = date(2026, 11, 20)
    evaluate_loaded(loaded, as_of=as_of, catalog=catalog)  # warm caches
    times = []
    for _ in range(50):
        start = time.perf_counter()
        evaluate_loaded(loaded, as_of=as_of, catalog=catalog)
        times.append(time.perf_counter() - start)
    med = statistics.median(times) * 1000
    print(f"evaluate one declaration in process ({len(catalog.controls)} controls): median {med:.1f} ms "
          f"(target < 20 ms) {'OK' if med < 20 else 'OVER'}")

    # 1,000 declarations in one process: the four examples in turn, each loaded afresh from disk.
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    load_s = eval_s = 0.0
    for i in range(1000):
        path = examples[i % len(examples)]
        start = time.perf_counter()
        one = load_declaration(path, path.name)
        mid = time.perf_counter()
        evaluate_loaded(one, as_of=as_of, catalog=catalog)
        load_s += mid - start
        eval_s += time.perf_counter() - mid
    print(f"1,000 declarations in one process ({len(examples)} examples in turn): evaluation {eval_s:.2f} s "
          f"({eval_s:.1f} ms each, target < 20 ms {'OK' if eval_s < 20 else 'OVER'}); loading with line and "
          f"column tracking {load_s:.2f} s ({load_s:.1f} ms each)")


def bench_cli() -> None:
    exe = Path(sys.executable).parent / "resguarda"
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "checker"]),
           "evaluate", str(EXAMPLE), "--format", "json", "-o", "/tmp/resguarda-bench.json", "--as-of", "2026-11-20"]
    times = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    med = statistics.median(times)
    print(f"resguarda evaluate --format json, end to end: median {med:.3f} s wall (target < 0.5 s) "
          f"{'OK' if med < 0.5 else 'OVER'}")
    probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "checker", "evaluate", str(EXAMPLE),
                            "--format", "json", "-o", "/tmp/resguarda-bench.json"], capture_output=True, text=True)
    heavy = [m for m in ("weasyprint", "nmap") if f" {m}" in probe.stderr]
    print(f"heavy modules imported on the JSON path: {', '.join(heavy) if heavy else 'none'}")


def main() -> None:
    print("== core ==")
    bench_in_process()
    bench_cli()
    for extra in ("bench_report.py", "bench_scan.py", "bench_drafts.py", "bench_portfolio.py", "bench_procure.py"):
        script = ROOT / "scripts" / extra
        if script.exists():
            print(f"== {extra} ==", flush=True)
            subprocess.run([sys.executable, str(script)], check=False)


if __name__ == "__main__":
    main()
