"""A large declaration's controls made on two CPUs (checker/render/json_two_cores.py) give the bytes
one process gives, whatever happens to the second process: it fails in a control, crashes or is
killed, and an error in a control is reported as one process reports it.

Each run is a fresh process (`_run`): a fork is made only from a process with a single thread, and
earlier tests of the suite (Dask) leave threads behind in this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ROOT, load_script

from checker.evaluate import Outline
from checker.render import json_two_cores

pytestmark = pytest.mark.skipif(sys.platform != "linux" or len(os.sched_getaffinity(0)) < 2,
                                reason="a second process needs Linux and two CPUs")

# The CLI in a fresh process. It reports on standard error how the controls were shared: whether a
# child was started and which controls this process made. `fail` makes the controls named (comma-
# separated) raise, in whichever process makes them; `child-fails` and `child-dies` make the child
# raise, or end itself by SIGKILL, at its second control. `laid` has the output written by two
# processes whatever its size (checker.output.LAID_TWO_PROCESSES), `laid-child-dies` kills that writer.
RUNNER = r'''
import json, os, signal, sys
import checker.forked as forked
import checker.output as output
import checker.render.json_stream as js
from checker.cli import main

parent = os.getpid()
made = {"parent": [], "child": []}
started = []
mode, control = sys.argv[1], sys.argv[2]
real_pieces, real_start = js.control_pieces, forked.start

def control_pieces(evaluator, ctl, first):
    mine = made["parent" if os.getpid() == parent else "child"]
    mine.append(ctl.id)
    if mode == "fail" and ctl.id in control.split(","):
        raise RuntimeError("fallo inyectado en " + ctl.id)
    if os.getpid() != parent and len(mine) == 2:
        if mode == "child-fails":
            raise RuntimeError("the child fails")
        if mode == "child-dies":
            os.kill(os.getpid(), signal.SIGKILL)
    return real_pieces(evaluator, ctl, first)

def start(job):
    pending = real_start(job)
    started.append(pending is not None)
    return pending

js.control_pieces, forked.start = control_pieces, start
if mode.startswith("laid"):
    output.LAID_TWO_PROCESSES = 0
    real_place = output._place
    def place(fd, spans):
        if mode == "laid-child-dies" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_place(fd, spans)
    output._place = place
if mode == "head-fails":
    def head(self, *args):
        raise RuntimeError("fallo inyectado en la cabecera")
    js.Evaluator.head = head
code = main(sys.argv[3:])
sys.stderr.write("\nSHARING " + json.dumps({"started": started, "made": made["parent"]}) + "\n")
sys.exit(code)
'''


def _run(args: list[str], mode: str = "plain", control: str = "-", *, workers: str = "") -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_WORKERS=workers)
    proc = subprocess.run([sys.executable, "-c", RUNNER, mode, control, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)
    err, _, sharing = proc.stderr.rpartition("\nSHARING ")
    return {"code": proc.returncode, "stderr": err, "sharing": json.loads(sharing) if sharing else None}


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A declaration with 400 systems: above the size where the controls are shared."""
    path = tmp_path_factory.mktemp("two-cores") / "many.yaml"
    load_script("bench_json").write_declaration(path, 400)
    return path


@pytest.fixture(scope="module")
def in_one(many: Path) -> bytes:
    """The JSON made in one process (RESGUARDA_WORKERS=1)."""
    out = many.parent / "one.json"
    ran = _run(["evaluate", str(many), "--format", "json", "-o", str(out), "--as-of", "2026-11-20"], workers="1")
    assert ran["code"] == 1, ran["stderr"]
    assert ran["sharing"]["started"] == [], "RESGUARDA_WORKERS=1 must keep one process"
    return out.read_bytes()


def _shared(many: Path, name: str, mode: str = "plain", control: str = "-") -> tuple[dict[str, Any], Path]:
    out = many.parent / name
    ran = _run(["evaluate", str(many), "--format", "json", "-o", str(out), "--as-of", "2026-11-20"], mode, control)
    return ran, out


def test_two_processes_give_the_bytes_of_one(many: Path, in_one: bytes) -> None:
    ran, out = _shared(many, "two.json")
    assert ran["code"] == 1, ran["stderr"]
    assert ran["sharing"]["started"] == [True]
    doc = json.loads(in_one)
    made_here = ran["sharing"]["made"]
    # Both processes made controls: this process not all of them, and not none.
    assert 0 < len(made_here) < len(doc["results"])
    assert out.read_bytes() == in_one
    assert sum(len(r["findings"]) for r in doc["results"]) > 400 * 10


def test_to_standard_output_as_well(many: Path, in_one: bytes) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_WORKERS="")
    proc = subprocess.run([sys.executable, "-m", "checker", "evaluate", str(many), "--format", "json",
                           "--as-of", "2026-11-20"], capture_output=True, cwd=ROOT, env=env, timeout=600, check=False)
    assert proc.returncode == 1
    assert proc.stdout == in_one


@pytest.mark.parametrize("mode", ["laid", "laid-child-dies"])
def test_the_output_written_by_two_processes_is_the_one_of_one(many: Path, in_one: bytes, mode: str) -> None:
    """The output laid out (checker.output.Laid) and written by a second process too: the same bytes,
    whether that process writes its half or dies before it."""
    ran, out = _shared(many, f"{mode}.json", mode)
    assert ran["code"] == 1, ran["stderr"]
    assert ran["sharing"]["started"] == [True, True]   # one child for the controls, one for the writing
    assert out.read_bytes() == in_one
    assert not list(out.parent.glob(".*.part")), "a temporary file was left behind"


@pytest.mark.parametrize("mode", ["child-fails", "child-dies"])
def test_what_the_child_does_not_hand_over_is_made_here(many: Path, in_one: bytes, mode: str) -> None:
    ran, out = _shared(many, f"{mode}.json", mode)
    assert ran["code"] == 1, ran["stderr"]
    assert ran["sharing"]["started"] == [True]
    assert out.read_bytes() == in_one
    # Every control was made here, once: the child handed nothing over, whatever it had written.
    assert sorted(ran["sharing"]["made"]) == sorted(r["control_id"] for r in json.loads(in_one)["results"])
    assert not list(out.parent.glob(".*.part")), "a temporary file was left behind"


def _error_of(ran: dict[str, Any]) -> str:
    return ran["stderr"].strip()


@pytest.mark.parametrize("control", ["GOV-01", "NET-04"])
def test_an_error_in_a_control_is_the_error_one_process_gives(many: Path, control: str) -> None:
    """A bug in a control (exit 3) reads the same, and leaves no output, in one process and in two,
    whichever process meets it first."""
    one = _run(["evaluate", str(many), "--format", "json", "-o", str(many.parent / "e1.json"),
                "--as-of", "2026-11-20"], "fail", control, workers="1")
    two, out = _shared(many, "e2.json", "fail", control)
    assert one["code"] == two["code"] == 3
    assert "fallo inyectado en " + control in _error_of(one)
    assert _error_of(one) == _error_of(two)
    assert not out.exists() and not (many.parent / "e1.json").exists()


def test_an_error_in_the_work_done_while_waiting_is_the_one_process_error(many: Path) -> None:
    """The head is made while the child finishes its controls: an error there reads as in one process."""
    one = _run(["evaluate", str(many), "--format", "json", "-o", str(many.parent / "h1.json"),
                "--as-of", "2026-11-20"], "head-fails", workers="1")
    two, out = _shared(many, "h2.json", "head-fails")
    assert one["code"] == two["code"] == 3 and two["sharing"]["started"] == [True]
    assert "fallo inyectado en la cabecera" in _error_of(two) and _error_of(one) == _error_of(two)
    assert not out.exists()


def test_of_two_errors_the_first_in_catalog_order_is_reported(many: Path, in_one: bytes) -> None:
    """The child likely takes the second control and this process the third: the error reported is
    still the second's, as in one process (the sharing stops and one process starts again)."""
    ids = [r["control_id"] for r in json.loads(in_one)["results"]]
    two, _ = _shared(many, "e3.json", "fail", f"{ids[1]},{ids[2]}")
    assert two["code"] == 3
    assert "fallo inyectado en " + ids[1] in _error_of(two)


def test_small_declarations_stay_in_one_process(tmp_path: Path) -> None:
    out = tmp_path / "ai.json"
    ran = _run(["evaluate", str(ROOT / "examples" / "ai-center.yaml"), "--format", "json", "-o", str(out),
                "--as-of", "2026-11-20"])
    assert ran["code"] == 1, ran["stderr"]
    assert ran["sharing"]["started"] == []


def test_a_child_table_that_does_not_fit_its_file_is_not_used() -> None:
    """What the child hands back is checked against what it wrote: a piece past the end of its file, an
    index out of range, an unknown status or a malformed entry is made again in this process."""
    table = [(0, 0, 10, "governance", "high", "fail"),      # whole
             (1, 5, 10, "governance", "high", "fail"),      # past the end of a 12-byte file
             (7, 0, 2, "governance", "high", "fail"),       # no such control
             (2, 0, 2, "governance", "high", "rotten"),     # no such status
             (3, 0, 2, "governance")]                       # malformed: the rest is not read
    kept = list(json_two_cores._valid(table, 5, 12))
    assert kept == [(0, json_two_cores._Piece(0, 10, Outline("governance", "high", "fail")))]
    assert list(json_two_cores._valid(None, 5, 12)) == []


def test_the_heaviest_controls_are_taken_first(many: Path) -> None:
    """Tickets go out heaviest first (the items of the lists a control walks), so a control over 16,000
    hosts is not the last one left to a single process; an order that is not one of the controls' is
    not used."""
    from checker.api import evaluator_for
    from checker.render.json_stream import _weight
    from checker.validate import load_declaration

    evaluator = evaluator_for(load_declaration(many, str(many), lang="es"), as_of=None, lang="es")
    weights = {c.id: _weight(evaluator, c) for c in evaluator.controls()}
    assert weights["ENC-01"] == 400          # every system
    assert weights["GOV-01"] == 0            # the program's own fields
    assert json_two_cores._order([2, 0, 1], 3) == [2, 0, 1]
    assert json_two_cores._order([0, 0, 1], 3) == [0, 1, 2]
    assert json_two_cores._order(None, 3) == [0, 1, 2]
