"""Targets and port lists are validated before nmap is even looked for (exit 2, nothing run)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.scan.runner import run_scan
from checker.scan.targets import validate_ports, validate_target, validate_targets

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("given", "expected"), [
    ("127.0.0.1", "127.0.0.1"),
    ("203.0.113.10", "203.0.113.10"),
    ("::1", "::1"),
    ("2001:db8::0:1", "2001:db8::1"),
    ("203.0.113.0/24", "203.0.113.0/24"),
    ("203.0.113.7/24", "203.0.113.0/24"),       # host bits are dropped, as nmap does
    ("10.50.0.0/16", "10.50.0.0/16"),
    ("Portal.Example.gob.mx", "portal.example.gob.mx"),
    ("localhost", "localhost"),
    ("inscripcion.cpfia.example.gob.mx.", "inscripcion.cpfia.example.gob.mx."),
])
def test_valid_targets_are_canonical(given: str, expected: str) -> None:
    assert validate_target(given)[0] == expected


@pytest.mark.parametrize("bad", [
    "127.0.0.1 -oN /tmp/owned",        # python-nmap would split this into nmap options
    "-oN",
    "-iL/etc/passwd",
    "--script=http-shellshock",
    "127.0.0.1;id",
    "$(id)",
    "`id`",
    "host|cat",
    "a&&b",
    "127.0.0.1\n-oX",
    "",
    " 127.0.0.1",
    "999.1.1.1",
    "10.0.0.0/33",
    "10.0.0.0/-1",
    "-portal.example.mx",
    "portal-.example.mx",
    "portal..example.mx",
    "x" * 64 + ".mx",
    "192.168.0-255.1",                 # nmap ranges are not accepted: only address, CIDR or name
    "portál.example.mx",
])
def test_bad_targets_are_refused(bad: str) -> None:
    with pytest.raises(InputError) as err:
        validate_target(bad)
    assert err.value.file == "TARGETS"
    assert err.value.hint


def test_targets_list_splits_commas_dedupes_and_limits_size() -> None:
    assert validate_targets(["127.0.0.1,localhost", "127.0.0.1"]) == ["127.0.0.1", "localhost"]
    with pytest.raises(InputError, match="65536|16777216"):
        validate_targets(["10.0.0.0/8"])
    with pytest.raises(InputError):
        validate_targets(["10.0.0.0/16", "10.1.0.0/16"])   # two /16 are more than one scan allows
    with pytest.raises(InputError):
        validate_targets(["127.0.0.1", "::1"])              # nmap needs -6 for the whole run
    with pytest.raises(InputError):
        validate_targets([])


@pytest.mark.parametrize(("given", "expected"), [
    ("22", "22"),
    ("22,80,443,1000-2000", "22,80,443,1000-2000"),
    ("443, 80 ,22", "22,80,443"),
    ("80,80,79-81", "79-81"),
    ("1-65535", "1-65535"),
])
def test_valid_port_lists(given: str, expected: str) -> None:
    assert validate_ports(given) == expected


@pytest.mark.parametrize("bad", [
    "", " ", "0", "65536", "22,", ",22", "2000-1000", "22;id", "22 -oN x", "-p 22", "T:22",
    "80-", "-80", "1-2-3", "http", "22,,80", "123456",
])
def test_bad_port_lists_are_refused(bad: str) -> None:
    with pytest.raises(InputError) as err:
        validate_ports(bad)
    assert err.value.file == "--ports"


def test_messages_in_both_languages() -> None:
    with pytest.raises(InputError, match="not a valid IP address"):
        validate_targets(["a$b"], "en")
    with pytest.raises(InputError, match="no es una dirección IP"):
        validate_targets(["a$b"], "es")


def _spy_nmap(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in `nmap` that records that it was run: proof that a refused scan ran nothing."""
    marker = tmp_path / "nmap-was-run"
    spy = tmp_path / "nmap"
    spy.write_text(f"#!/bin/sh\necho run >> {marker}\necho 'Nmap version 7.93 ( https://nmap.org )'\n")
    spy.chmod(spy.stat().st_mode | stat.S_IXUSR)
    return spy, marker


def _cli(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), RESGUARDA_LANG="es", **env_extra)
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60, check=False)


@pytest.mark.parametrize(("targets", "ports"), [
    (["127.0.0.1 -oN /tmp/resguarda-owned"], "22"),
    (["127.0.0.1", "-iL", "/etc/passwd"], "22"),
    (["127.0.0.1;touch /tmp/resguarda-owned"], "22"),
    (["127.0.0.1"], "22 --script=vuln"),
    (["127.0.0.1"], "22;id"),
])
def test_cli_refuses_injection_with_exit_2_and_runs_nothing(tmp_path: Path, targets: list[str],
                                                             ports: str) -> None:
    spy, marker = _spy_nmap(tmp_path)
    out = tmp_path / "scan.xml"
    # "-iL" as its own argument is an option argparse does not know: also exit 2.
    proc = _cli(["scan", *targets, "--ports", ports, "-o", str(out)], {"RESGUARDA_NMAP": str(spy)})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists(), "nmap was run for a refused target"
    assert not out.exists()
    assert not Path("/tmp/resguarda-owned").exists()


def test_cli_missing_nmap_is_exit_2_with_install_hint(tmp_path: Path) -> None:
    out = tmp_path / "scan.xml"
    proc = _cli(["scan", "127.0.0.1", "--ports", "22", "-o", str(out)],
                {"RESGUARDA_NMAP": str(tmp_path / "no-such-nmap")})
    assert proc.returncode == 2
    assert "apt-get install nmap" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_api_missing_nmap_and_bad_profile(tmp_path: Path) -> None:
    out = tmp_path / "scan.xml"
    with pytest.raises(InputError) as err:
        run_scan(["127.0.0.1"], "22", "tls", out, nmap_search_path=[str(tmp_path / "nope")], lang="en")
    assert "apt-get install nmap" in (err.value.hint or "")
    with pytest.raises(InputError, match="quick"):
        run_scan(["127.0.0.1"], "22", "aggressive", out)
    with pytest.raises(InputError):
        run_scan(["127.0.0.1 -sU"], "22", "quick", out)
    assert not out.exists()


def test_a_binary_that_is_not_nmap_counts_as_missing(tmp_path: Path) -> None:
    fake = tmp_path / "nmap"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(InputError, match="nmap"):
        run_scan(["127.0.0.1"], "22", "quick", tmp_path / "x.xml", nmap_search_path=[str(fake)])


def _fake_nmap(tmp_path: Path, body: str) -> Path:
    """An `nmap` that answers -V like nmap 7.93 and then behaves as `body` says."""
    fake = tmp_path / "fake-nmap"
    version = "echo 'Nmap version 7.93 ( https://nmap.org )'"
    fake.write_text(f"#!/bin/sh\nif [ \"$1\" = \"-V\" ]; then {version}; exit 0; fi\n" + body + "\n")
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize(("body", "message"), [
    ("echo 'nmap: Segmentation fault' >&2; exit 139", "Segmentation fault"),
    ("printf '<?xml version=\"1.0\"?>\\n<nmaprun scanner=\"nmap\" start=\"1795324014\"><host>'", "XML"),
    ("printf '<?xml version=\"1.0\"?>\\n<nmaprun scanner=\"nmap\" start=\"1\"><runstats><finished exit=\"error\" "
     "errormsg=\"Could not bind\"/></runstats></nmaprun>'", "Could not bind"),
])
def test_nmap_failures_are_exit_3_and_write_nothing(tmp_path: Path, body: str, message: str) -> None:
    out = tmp_path / "scan.xml"
    proc = _cli(["scan", "127.0.0.1", "--ports", "22", "--profile", "quick", "-o", str(out)],
                {"RESGUARDA_NMAP": str(_fake_nmap(tmp_path, body))})
    assert proc.returncode == 3, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".scan.xml*"))


def test_nmap_timeout_is_a_tool_error(tmp_path: Path) -> None:
    from checker.errors import ToolError

    out = tmp_path / "scan.xml"
    with pytest.raises(ToolError, match="1 s"):
        run_scan(["127.0.0.1"], "22", "quick", out, progress=lambda elapsed, done: None, timeout=1,
                 nmap_search_path=[str(_fake_nmap(tmp_path, "exec sleep 30"))])
    assert not out.exists()


def test_arguments_are_constants_and_targets_reach_nmap_as_single_words(tmp_path: Path) -> None:
    """What nmap really receives: fixed options per profile, validated targets, the canonical port list."""
    argv = tmp_path / "argv"
    fake = _fake_nmap(tmp_path, f"for a in \"$@\"; do echo \"$a\" >> {argv}; done\n"
                                "printf '<?xml version=\"1.0\"?>\\n<nmaprun scanner=\"nmap\" start=\"1795324014\">"
                                "<runstats><finished exit=\"success\"/></runstats></nmaprun>\\n'")
    out = tmp_path / "scan.xml"
    summary = run_scan(["127.0.0.1,localhost"], "443,22,80-81", "tls", out, progress=lambda elapsed, done: None,
                       nmap_search_path=[str(fake)])
    words = argv.read_text().splitlines()
    assert words[:2] == ["-oX", "-"]
    assert words[2:4] == ["127.0.0.1", "localhost"]
    assert words[4:6] == ["-p", "22,80-81,443"]
    assert " ".join(words[6:]) == summary.arguments
    assert "-sT" in words and "--version-light" in words and "ssl-enum-ciphers,ssl-cert" in words
    assert out.read_bytes().startswith(b"<?xml") and summary.hosts_up == 0
