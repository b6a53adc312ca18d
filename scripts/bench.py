"""`make bench`: speed and memory figures for the README and the closing notes.

Targets (issue 2): evaluation under 20 ms per declaration; `resguarda evaluate --format json` under
0.5 s wall on a 2-core machine. The report (issue 4) and scan-import (issue 5) benchmarks run after.
"""

from __future__ import annotations

import os
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


def bench_result() -> None:
    """The typed result (issue 9): JSON out, JSON back into the model, and Markdown/CSV in the other
    language from the saved JSON (what `resguarda render` does after reading the file)."""
    from checker.render import RenderOptions, renderer_for
    from checker.result import ResultDocument

    catalog = load_catalog()
    loaded = load_declaration(EXAMPLE, "ai-center.yaml")
    doc = evaluate_loaded(loaded, as_of=date(2026, 11, 20), catalog=catalog)
    data = doc.to_json()

    def median_ms(fn: object, n: int = 15) -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    write = median_ms(doc.to_json)
    read = median_ms(lambda: ResultDocument.from_json(data))
    saved = ResultDocument.from_json(data)
    md = median_ms(lambda: renderer_for("md")(saved, RenderOptions(lang="en")), 7)
    csv = median_ms(lambda: renderer_for("csv")(saved, RenderOptions(lang="en")), 7)
    print(f"result of ai-center.yaml ({len(data) / 1024:.0f} KiB of JSON): write {write:.1f} ms, read back into "
          f"the model {read:.1f} ms; render from it in English: Markdown {md:.1f} ms, CSV {csv:.1f} ms")


def bench_calendar() -> None:
    # Business days (issue 11): counting 30 business days back from 10,000 different launch dates, on a
    # calendar with declared non-working days; and `catalog diff` between 2026.1 and the shipped catalog.
    from datetime import timedelta

    from checker.calendar import calendar_for
    from checker.catalog_diff import diff_catalogs

    cal = calendar_for(True, [date(2026, 7, d) for d in range(13, 25)])
    start = time.perf_counter()
    for i in range(10_000):
        cal.subtract(date(2026, 1, 1) + timedelta(days=i % 3650), 30)
    per = (time.perf_counter() - start) / 10_000 * 1e6
    # A few counts per evaluation: a millisecond each would still be invisible next to the 20 ms target.
    print(f"30 business days counted back: {per:.1f} µs each (target < 1000 µs) {'OK' if per < 1000 else 'OVER'}")
    old_dir = ROOT / "tests" / "data" / "catalog-2026.1"
    if old_dir.exists():
        old, new = load_catalog(old_dir), load_catalog()
        start = time.perf_counter()
        diff = diff_catalogs(old, new, "es")
        ms = (time.perf_counter() - start) * 1000
        print(f"catalog diff {old.index.version} -> {new.index.version} ({len(diff.added)} added, "
              f"{len(diff.changed)} changed): {ms:.0f} ms once both are loaded")


def machine_speed() -> float:
    """CPU seconds of a fixed pure-Python workload (dicts, strings, sorting, like the checker's own):
    figures taken on hosts of different speed, or on one host whose neighbours slow it, compare
    through it (the README names it beside its figures)."""
    start = time.process_time()
    for _ in range(5):
        data = {f"k{i}": str(i) * 3 for i in range(200_000)}
        sorted(data.values())
    return time.process_time() - start


def main() -> None:
    print(f"== machine: {len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}, "
          f"reference workload {machine_speed():.2f} s of CPU ==")
    print("== core ==")
    bench_in_process()
    bench_cli()
    bench_result()
    bench_calendar()
    # bench_scan: issue 15's TLS-heavy scan, whole evaluate against python-nmap's parser, as ratios (three
    # alternated rounds, medians), then evaluate of 5,000 to 20,000 undeclared hosts (linear).
    for extra, args in (("bench_report.py", []), ("bench_scan.py", ["--shape", "tls-heavy", "--repeat", "3"]),
                        ("bench_drafts.py", []), ("bench_portfolio.py", []), ("bench_json.py", []),
                        ("bench_procure.py", []),
                        ("bench_sign.py", [])):
        script = ROOT / "scripts" / extra
        if script.exists():
            print(f"== {extra} {' '.join(args)} ==", flush=True)
            subprocess.run([sys.executable, str(script), *args], check=False)


if __name__ == "__main__":
    main()
