"""`make bench`, large-declaration JSON (issue 15.3): `resguarda evaluate --format json` end to end on a
declaration with many systems, wall time and peak memory against the targets (30,000 systems: under
10 s and 1 GB), and how the cost grows with the systems (it must be linear).

    python scripts/bench_json.py [--systems 30000] [--also 10000] [--out FILE]

The declaration (`write_declaration`) is the minimal example's program with N systems, each with an
id and a name: about 35 bytes and 5 YAML nodes a system, so 30,000 fit the input limits (5 MB,
200,000 nodes) with room to spare. Every system-level control then has one finding per system.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S, TARGET_MIB = 10.0, 1024.0
AS_OF = "2026-11-20"


def write_declaration(path: Path, systems: int) -> Path:
    """A valid declaration: the minimal example's program and `systems` systems (id and name each)."""
    head = (ROOT / "examples" / "minimal.yaml").read_text(encoding="utf-8").rstrip("\n")
    lines = [head, "", "systems:"]
    lines += [f"  - {{id: sistema-{i:06d}, name: Sistema escolar {i:06d}}}" for i in range(systems)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(declaration: Path, out: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MiB of the child, bytes written) of one `evaluate --format json`."""
    exe = Path(sys.executable).parent / "resguarda"
    cmd = [str(exe), "evaluate", str(declaration), "--format", "json", "-o", str(out), "--as-of", AS_OF]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"evaluate failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of the children is the largest child's peak, in KiB on Linux.
    return wall, cpu, after.ru_maxrss / 1024, out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=30_000)
    parser.add_argument("--also", type=int, default=10_000, help="a smaller size, to show the growth")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}")
    figures = {}
    for n in sorted({args.also, args.systems}):
        if n <= 0:
            continue
        decl = write_declaration(args.out / f"systems-{n}.yaml", n)
        wall, cpu, mib, size = run(decl, args.out / f"systems-{n}.json")
        figures[n] = (wall, cpu, mib, size)
        line = (f"evaluate --format json, {n:,} systems ({decl.stat().st_size / 1e6:.1f} MB of YAML): {wall:.1f} s "
                f"wall, {cpu:.1f} s CPU, peak {mib:.0f} MiB, {size / 1e6:.0f} MB of JSON; "
                f"{1000 * cpu / n:.2f} ms CPU and {size / n / 1024:.1f} KiB per system")
        if n == args.systems:
            line += (f"\n    target < {TARGET_S:.0f} s {'OK' if wall < TARGET_S else 'OVER'}; "
                     f"target < {TARGET_MIB:.0f} MiB {'OK' if mib < TARGET_MIB else 'OVER'}")
        print(line, flush=True)
    if len(figures) == 2:
        (a, fa), (b, fb) = sorted(figures.items())
        print(f"growth {a:,} -> {b:,} systems (x{b / a:.1f}): CPU x{fb[1] / fa[1]:.2f}, memory x{fb[2] / fa[2]:.2f}, "
              f"JSON x{fb[3] / fa[3]:.2f} (linear: about x{b / a:.1f} less the fixed start-up)")


if __name__ == "__main__":
    main()
