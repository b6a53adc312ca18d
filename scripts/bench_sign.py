"""`make bench`, signing section: `resguarda sign` and `resguarda verify` on the audit example's report,
with a test authority and an e.firma-shaped certificate made on the spot (tests/pki_fixtures.py)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pki_fixtures import PASSWORD, make_ca, make_efirma  # noqa: E402

from checker.cli import main as cli  # noqa: E402

EXAMPLE = ROOT / "examples" / "audit" / "colegio.yaml"
RUNS = 3


def run(*args: str) -> tuple[int, float]:
    start = time.perf_counter()
    with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
        code = cli(list(args))
    return code, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        signer = make_efirma(tmp, make_ca(tmp))
        os.environ["RESGUARDA_KEY_PASSWORD"] = PASSWORD.decode("utf-8")
        report, signed = tmp / "informe.pdf", tmp / "firmado.pdf"
        code, took = run("evaluate", str(EXAMPLE), "--as-of", "2026-11-20", "-o", str(report))
        print(f"audit example report: {took:.2f} s (exit {code})")
        signs = [run("sign", str(report), "--cert", str(signer.cert), "--key", str(signer.key), "-o", str(signed))[1]
                 for _ in range(RUNS)]
        verifies = [run("verify", str(signed))[1] for _ in range(RUNS)]
        againsts = [run("verify", str(signed), "--declaration", str(EXAMPLE))[1] for _ in range(RUNS)]
        size = report.stat().st_size, signed.stat().st_size
    print(f"sign (PAdES B-B, signature page): median {statistics.median(signs):.2f} s")
    print(f"verify: median {statistics.median(verifies):.2f} s")
    print(f"verify --declaration (re-evaluates): median {statistics.median(againsts):.2f} s")
    print(f"PDF size: {size[0] / 1024:.0f} KiB unsigned, {size[1] / 1024:.0f} KiB signed")


if __name__ == "__main__":
    main()
