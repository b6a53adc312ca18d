"""`resguarda init`: the interview through a real pseudo-terminal, and the same from an answers file.
Both must write a commented declaration that `resguarda validate` accepts."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.validate import load_declaration

# (answer typed, one per prompt). "Narnia" is refused and asked again; Spanish words are understood.
TYPED = ["Becas para bachillerato", "Secretaría de Educación de Chiapas", "1", "1", "estatal", "Narnia",
         "chiapas", "1,3", "sí", "15", "Portal de becas, Sistema de pagos", "2", "México",
         "1,2,3,9", "si", "2", "Nube Ejemplo", ""]


def _read_some(fd: int, buffer: bytearray, wait: float) -> bool:
    """Add what the terminal shows within `wait` seconds; False when nothing more will come."""
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    buffer.extend(chunk)
    return bool(chunk)


def _read_until_prompts(fd: int, n: int, buffer: bytearray, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while buffer.count(b"> ") < n:
        left = end - time.monotonic()
        assert left > 0, buffer.decode(errors="replace")[-2000:]
        if not _read_some(fd, buffer, left):
            break


def test_interview_through_a_pseudo_terminal(tmp_path: Path) -> None:
    out = tmp_path / "declaracion.yaml"
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "RESGUARDA_LANG"}
    proc = subprocess.Popen([sys.executable, "-m", "checker", "init", str(out)], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    screen = bytearray()
    try:
        for i, answer in enumerate(TYPED, 1):
            _read_until_prompts(master, i, screen)
            os.write(master, answer.encode() + b"\n")
        assert proc.wait(timeout=120) == 0
        while True:  # what is left on the screen
            shown = len(screen)
            if not _read_some(master, screen, 0.5) or len(screen) == shown:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = screen.decode("utf-8", errors="replace")
    assert "¿Qué tipo de institución es?" in text and "Dependencia o entidad pública" in text
    assert "no reconozco esa entidad" in text  # Narnia was refused, then Chiapas accepted
    assert "Declaración escrita en" in text
    loaded = load_declaration(out, out.name)
    m = loaded.model
    assert m.program.jurisdiction is not None and m.program.jurisdiction.state == "MX-CHP"
    assert [s.type for s in m.program.data_subjects or []] == ["student", "guardian"]
    assert [s.id for s in m.systems or []] == ["portal-de-becas", "sistema-de-pagos"]
    assert m.systems and m.systems[1].authentication and m.systems[1].authentication[0].provider == "llave_mx"
    assert [c.category for c in m.data_inventory or []] == ["identification", "contact", "official_id", "biometric"]
    body = out.read_text(encoding="utf-8")
    # every field not asked is a commented line that says what it decides
    assert "# privacy_notice:" in body and "#   published: true | false  # " in body and "PRV-01" in body
    assert "# arco:" in body and "decide ARC-" in body


ANSWERS = """\
program: Programa de tutorías en línea
operator: Universidad Pública Ejemplo
operator_type: public_university
role: responsable
level: state
state: Nuevo León
subjects: [student, staff]
minors: no
systems: [Plataforma de tutorías]
hosting: saas
hosting_country: US
categories: [identificación, contacto, academic]
llave_mx: false
processors: [Plataforma SaaS Ejemplo]
"""


@pytest.mark.parametrize("lang", ["es", "en"])
def test_answers_file_writes_a_valid_declaration(tmp_path: Path, lang: str) -> None:
    answers = tmp_path / "respuestas.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    out = tmp_path / "d.yaml"
    proc = subprocess.run([sys.executable, "-m", "checker", "init", str(out), "--answers", str(answers),
                           "--lang", lang], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    check = subprocess.run([sys.executable, "-m", "checker", "validate", str(out)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr
    body = out.read_text(encoding="utf-8")
    assert ("decide " if lang == "es" else "decides ") in body
    assert "state: MX-NLE" in body and "processors:" in body
    # running again does not overwrite without --force
    again = subprocess.run([sys.executable, "-m", "checker", "init", str(out), "--answers", str(answers)],
                           capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert again.returncode == 2 and "--force" in again.stderr


def test_bad_answers_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    answers = tmp_path / "r.yaml"
    answers.write_text(ANSWERS.replace("state: Nuevo León", "state: Narnia").replace("minors: no", "minors: quizá")
                       + "colour: blue\n", encoding="utf-8")
    out = tmp_path / "d.yaml"
    proc = subprocess.run([sys.executable, "-m", "checker", "init", str(out), "--answers", str(answers)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "r.yaml:6:1:" in proc.stderr and "r.yaml:8:1:" in proc.stderr and "r.yaml:15:1:" in proc.stderr
    assert not out.exists()


def test_answer_flags_for_scripts(tmp_path: Path) -> None:
    out = tmp_path / "d.yaml"
    flags = ["program=P", "operator=Escuela Particular Ejemplo", "operator_type=private_school", "role=responsable",
             "subjects=student", "minors=sí", "min_age=6", "systems=Control escolar", "hosting=on_premises",
             "categories=identification,academic,health", "llave_mx=no"]
    args = [a for f in flags for a in ("--answer", f)]
    proc = subprocess.run([sys.executable, "-m", "checker", "init", str(out), *args], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert load_declaration(out).model.program.operator_type == "private_school"
