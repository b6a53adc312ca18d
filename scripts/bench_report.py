"""Report benchmark: the AI center PDF against WeasyPrint on the 1.0 report HTML, and large inputs.

    python scripts/bench_report.py [--runs 3] [--large] [--no-scan]

1. Issue 15.6, measured in ONE process, the two sides alternated and the medians compared:
   (a) WeasyPrint alone on the 1.0 report HTML (tests/data/report-1.0/ai-center.es.html, made by
       release 1.0 from examples/ai-center.yaml), plain `HTML(...).write_pdf()` as 1.0 did;
   (b) today's AI center PDF from the declaration: evaluate, HTML with the statements and standards
       mappings, tagged PDF with the JSON attachment (what `resguarda evaluate --format pdf` does).
   Target: (b) at most half of (a). CPU time is the figure (the machine is shared); wall time and the
   load average are printed beside it.
2. Issue 4's figures, kept: end to end in fresh processes against WeasyPrint alone on the same HTML.
3. Issue 15.3, bounded reports: the whole `resguarda evaluate --format pdf` of a scan with 20,000
   undeclared hosts (and with --large, of a declaration with 10,000 systems), each in a fresh process,
   with its peak memory; `--format json` of the same input beside it shows how much of the time the
   evaluation takes. Target: under 60 s and 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = ROOT / "examples" / "ai-center.yaml"
BASELINE = ROOT / "tests" / "data" / "report-1.0" / "ai-center.es.html"
BENCH_DIR = ROOT / "bench-data"
AS_OF = "2026-11-20"
TARGET_RATIO = 0.5
LARGE_SECONDS, LARGE_MB = 60.0, 1536.0


def _cli() -> list[str]:
    exe = Path(sys.executable).parent / "resguarda"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "checker"]


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def _cpu_wall(fn: Callable[[], object]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def _pages(data: bytes) -> int | str:
    try:
        import pypdfium2 as pdfium  # a test dependency: the count is a nicety
    except ImportError:
        return "?"
    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def bench_against_1_0(runs: int) -> None:
    from weasyprint import HTML

    from checker.api import evaluate_file
    from checker.render import RenderOptions
    from checker.render import pdf as pdf_render

    baseline = BASELINE.read_text(encoding="utf-8")

    def ours() -> bytes:
        doc = evaluate_file(EXAMPLE, as_of=AS_OF, lang="es")
        return pdf_render.render(doc, RenderOptions(lang="es"))

    def theirs() -> bytes:
        out: bytes = HTML(string=baseline).write_pdf()
        return out

    def theirs_paused() -> bytes:
        # The same with the garbage collector paused, as resguarda runs WeasyPrint (pdf.collector_paused).
        with pdf_render.collector_paused():
            return theirs()

    ours(), theirs()   # warm: imports, fonts, templates
    a_cpu, a_wall, b_cpu, b_wall, p_cpu = [], [], [], [], []
    load_before = _load()
    for _ in range(runs):
        cpu, wall = _cpu_wall(theirs)
        a_cpu.append(cpu)
        a_wall.append(wall)
        cpu, wall = _cpu_wall(ours)
        b_cpu.append(cpu)
        b_wall.append(wall)
        p_cpu.append(_cpu_wall(theirs_paused)[0])
    a, b = statistics.median(a_cpu), statistics.median(b_cpu)
    ratio = b / a
    print(f"AI center PDF against WeasyPrint on the 1.0 report HTML, one process, alternated, median of {runs} "
          f"(load {load_before} -> {_load()}):")
    print(f"  (a) WeasyPrint alone, 1.0 HTML ({_pages(theirs())} pages):      {a:.2f} s CPU "
          f"({statistics.median(a_wall):.2f} s wall)")
    print(f"  (b) resguarda, evaluate + tagged PDF with statements, mappings and attachment "
          f"({_pages(ours())} pages): {b:.2f} s CPU ({statistics.median(b_wall):.2f} s wall)")
    print(f"  ratio (b)/(a) {ratio:.2f} (target <= {TARGET_RATIO}) {'OK' if ratio <= TARGET_RATIO else 'OVER'}")
    paused = statistics.median(p_cpu)
    print(f"  (a') WeasyPrint alone, 1.0 HTML, garbage collector paused like (b): {paused:.2f} s CPU; "
          f"ratio (b)/(a') {b / paused:.2f}")


def _wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_fresh_processes(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html_path, pdf_path, out = Path(tmp) / "r.html", Path(tmp) / "r.pdf", Path(tmp) / "w.pdf"
        base = [*_cli(), "evaluate", str(EXAMPLE), "--as-of", AS_OF]
        subprocess.run([*base, "--format", "html", "-o", str(html_path)], check=False, capture_output=True)
        e2e = _wall([*base, "--format", "pdf", "-o", str(pdf_path)], runs)
        alone = _wall([sys.executable, "-c",
                       f"from weasyprint import HTML; HTML(filename={str(html_path)!r}).write_pdf({str(out)!r})"],
                      runs)
        print(f"Fresh processes, median of {runs} (load {_load()}): resguarda evaluate --format pdf {e2e:.2f} s "
              f"wall; WeasyPrint alone on the same HTML {alone:.2f} s; ratio {e2e / alone:.2f} "
              f"(target <= 1.3) {'OK' if e2e / alone <= 1.3 else 'OVER'}")


def _child(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds and peak MB of one fresh process (its own ru_maxrss via a wrapper)."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
               "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r)")
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, cwd=ROOT)
    seconds, peak, code = out.stdout.split()
    return float(seconds), float(peak), int(code)


def _large(label: str, decl: Path, as_of: str) -> None:
    out = BENCH_DIR / "bench-report-large"
    base = [*_cli(), "evaluate", str(decl), "--as-of", as_of]
    j_s, j_mb, _ = _child([*base, "--format", "json", "-o", str(out) + ".json"])
    p_s, p_mb, code = _child([*base, "--format", "pdf", "-o", str(out) + ".pdf"])
    pdf = Path(str(out) + ".pdf")
    pages = _pages(pdf.read_bytes()) if pdf.exists() and code in (0, 1) else "no PDF"
    ok = p_s < LARGE_SECONDS and p_mb < LARGE_MB and code in (0, 1)
    print(f"  {label}: --format pdf {p_s:.1f} s, {p_mb:.0f} MB, {pages} pages (target < {LARGE_SECONDS:.0f} s and "
          f"{LARGE_MB / 1024:.1f} GB) {'OK' if ok else 'OVER'}; --format json alone {j_s:.1f} s, {j_mb:.0f} MB "
          f"(the evaluation's share)")
    for suffix in (".json", ".pdf"):
        Path(str(out) + suffix).unlink(missing_ok=True)


def _systems_declaration(path: Path, n: int) -> None:
    """The AI center with n more systems, none encrypting at rest, all holding the first two categories."""
    from ruamel.yaml import YAML

    data: dict[str, Any] = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))
    extra = [{"id": f"s{i:05d}", "name": f"Sistema {i:05d}", "hosting": {"type": "on_premises"},
              "encryption": {"at_rest": {"enabled": False}}} for i in range(n)]
    data["systems"] = [*data["systems"], *extra]
    for category in data["data_inventory"][:2]:
        category["systems"] = [*category["systems"], *(s["id"] for s in extra)]
    data.pop("scans", None)
    path.write_text(json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":")), encoding="utf-8")


def bench_large(systems: bool, scan: bool) -> None:
    BENCH_DIR.mkdir(exist_ok=True)
    print(f"Bounded reports, whole command in a fresh process (load {_load()}):")
    if scan:
        sys.path.insert(0, str(ROOT / "scripts"))
        import bench_scan  # the scan generator of the scan benchmark (nmap's structure)

        xml = BENCH_DIR / "report-20000-hosts.xml"
        if not xml.exists():
            bench_scan.generate(xml, 20_000)
        decl = BENCH_DIR / "report-20000-hosts.yaml"
        decl.write_text(bench_scan.DECLARATION.format(file=xml.name), encoding="utf-8")
        _large("scan of 20,000 hosts (all but three undeclared)", decl, "2026-11-22")
    if systems:
        decl = BENCH_DIR / "report-10000-systems.yaml"
        _systems_declaration(decl, 10_000)
        _large("declaration with 10,000 systems", decl, AS_OF)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also the 10,000-system declaration (minutes)")
    parser.add_argument("--no-scan", action="store_true", help="skip the 20,000-host scan")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    bench_against_1_0(args.runs)
    bench_fresh_processes(args.runs)
    bench_large(systems=args.large, scan=not args.no_scan)


if __name__ == "__main__":
    main()
