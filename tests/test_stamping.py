"""Findings stamped from a look-alike subject's (checker/stamping.py, issue 15.3) are the bytes the
whole document gives: whatever the subjects' ids and names hold, whether they look alike or not, and
whether a template may be made or must be refused."""

from __future__ import annotations

import copy
import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import ROOT, load_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from checker import stamping
from checker.api import evaluate_loaded, evaluator_for
from checker.catalog import Control, load_catalog
from checker.output import pieces as output_pieces
from checker.render.json_stream import StreamedJson
from checker.validate import load_declaration

AS_OF = date(2026, 11, 20)
write_declaration = load_script("bench_json").write_declaration


@pytest.fixture(autouse=True)
def one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process (the suite's threads forbid a fork): the stamping is what is tested here.
    monkeypatch.setenv("RESGUARDA_WORKERS", "1")
    monkeypatch.delenv("RESGUARDA_STAMP", raising=False)


def both_ways(path: Path, lang: str) -> tuple[bytes, bytes]:
    """The streamed JSON (which stamps) and the whole document's (which does not) of a declaration."""
    loaded = load_declaration(path, str(path), lang=lang)
    with StreamedJson(loaded, None, as_of=AS_OF, lang=lang, profile=None, catalog=None) as streamed:
        stamped = b"".join(output_pieces(streamed.pieces()))
    whole = evaluate_loaded(load_declaration(path, str(path), lang=lang), as_of=AS_OF, lang=lang).to_json()
    return stamped, whole


def stamped_controls(path: Path) -> dict[str, int]:
    """The controls whose findings were (some of them) stamped from a template, and how many were."""
    loaded = load_declaration(path, str(path), lang="es")
    evaluator = evaluator_for(loaded, as_of=AS_OF, lang="es")
    counts: dict[str, int] = {}
    for i, control in enumerate(evaluator.controls()):
        found = stamping.stamped(evaluator, control, i == 0)
        made = [p for p in found[0] if isinstance(p, stamping._Findings)] if found is not None else []
        n = sum(len(t.indexes) for f in made for t in f.texts if isinstance(t, stamping._Run))
        if n:
            counts[control.id] = n
    return counts


# -- declarations with many systems, some alike ---------------------------------------------------------
def _copy_inputs(folder: Path) -> None:
    for name in ("scans", "evidence"):
        if not (folder / name).exists():
            shutil.copytree(ROOT / "examples" / name, folder / name)


def with_systems(folder: Path, base: str, extra: list[dict[str, Any]]) -> Path:
    """An example with `extra` systems after its own (block style: each field on its own line)."""
    _copy_inputs(folder)
    yaml = YAML(typ="safe")
    data = yaml.load((ROOT / "examples" / base).read_text(encoding="utf-8"))
    data["systems"] = list(data.get("systems") or []) + extra
    out = io.StringIO()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.dump(data, out)
    path = folder / base
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def copies(base: str, plan: list[tuple[int, str, str | None, str | None, bool]]) -> list[dict[str, Any]]:
    """Systems copied from the example's own: (which, id, name, a key to leave out, a value made the id)."""
    own = YAML(typ="safe").load((ROOT / "examples" / base).read_text(encoding="utf-8")).get("systems") \
        or [{"id": "s", "name": "S"}]   # minimal.yaml: systems with an id and a name only
    made = []
    for which, sid, name, drop, echo in plan:
        system = copy.deepcopy(own[which % len(own)])
        system["id"] = sid
        if name is None:
            system.pop("name", None)
        else:
            system["name"] = name
        if drop is not None and drop in system:
            del system[drop]
        if echo:
            # A declared value equal to the subject's id: its template must be refused.
            system["description"] = sid
        made.append(system)
    return made


BASES = ["ai-center.yaml", "well-run-school.yaml", "minimal.yaml"]
ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\Z")
names = st.one_of(st.none(), st.text(min_size=1, max_size=30).filter(lambda s: s.strip() == s and s.strip()),
                  st.sampled_from(['Sistema "escolar" %s %d', "back\\slash", "línea\nnueva", "ñandú 🦜", "%(0)s"]))
# Mostly whole copies: a list of mostly unlike systems is not stamped at all (checker.stamping._shapes).
drops = st.sampled_from([None] * 8 + ["encryption", "authentication", "hosting", "logging", "hosts",
                                      "access_control", "backups"])


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(base=st.sampled_from(BASES), lang=st.sampled_from(["es", "en"]),
       plan=st.lists(st.tuples(st.integers(0, 2), ids, names, drops, st.sampled_from([False] * 5 + [True])),
                     min_size=2, max_size=16, unique_by=lambda p: p[1]))
def test_stamped_findings_are_the_whole_documents_bytes(tmp_path: Path, base: str, lang: str,
                                                        plan: list[tuple[int, str, str | None, str | None, bool]]
                                                        ) -> None:
    plan = [(which, f"gen-{sid}", name, drop, echo) for which, sid, name, drop, echo in plan]
    path = with_systems(tmp_path, base, copies(base, plan))
    try:
        stamped, whole = both_ways(path, lang)
    except Exception as exc:   # a generated declaration the checker refuses: refused either way
        pytest.skip(f"not a valid declaration: {exc}")
    assert stamped == whole


def test_alike_systems_are_stamped(tmp_path: Path) -> None:
    """The comparison above bites: with systems alike, most controls over systems are stamped."""
    path = write_declaration(tmp_path / "many.yaml", 40)
    stamped = stamped_controls(path)
    # Of 40 systems: the first makes the template; the second is evaluated in full (to check its stamp);
    # in full, to check its stamp).
    assert len(stamped) >= 30 and all(n == 38 for n in stamped.values()), stamped
    stamped_bytes, whole = both_ways(path, "es")
    assert stamped_bytes == whole


@pytest.mark.parametrize("lang", ["es", "en"])
def test_copies_of_rich_systems_are_stamped_and_exact(tmp_path: Path, lang: str) -> None:
    plan = [(i % 3, f"copia-{i:03d}", f"Copia «{i}» de un sistema", None, False) for i in range(30)]
    path = with_systems(tmp_path, "ai-center.yaml", copies("ai-center.yaml", plan))
    # 30 copies of three shapes; most controls leave them out (no data category names them).
    assert len(stamped_controls(path)) >= 10
    stamped, whole = both_ways(path, lang)
    assert stamped == whole


def test_a_subjects_id_in_its_findings_text_refuses_the_template(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A system whose id is also a word of its findings (`systems`, in the code `DMN-03.systems`): a
    template of it would put each system's id there. Its shape gets no template (each of its systems is
    evaluated in full); the other shape is stamped, and the bytes are the document's."""
    made: list[str] = []
    real = stamping._template

    def template(*args: Any) -> Any:
        found = real(*args)
        made.append("refused" if found is None else "made")
        return found

    monkeypatch.setattr(stamping, "_template", template)
    head = (ROOT / "examples" / "minimal.yaml").read_text(encoding="utf-8").rstrip("\n")
    plain = [f"  - {{id: {sid}, name: Sistema {sid}}}" for sid in ("systems", "sis-1", "sis-2", "sis-3")]
    described = [f"  - {{id: otro-{i}, name: Otro {i}, description: Un sistema}}" for i in range(4)]
    path = tmp_path / "ids.yaml"
    path.write_text("\n".join([head, "", "systems:", *plain, *described]) + "\n", encoding="utf-8")
    stamped, whole = both_ways(path, "es")
    assert stamped == whole
    assert "refused" in made and "made" in made


def _control(rule: dict[str, Any]) -> Control:
    base = load_catalog().controls[0].model_dump(by_alias=True, exclude_none=True)
    base.update(id="TST-01", rule=rule)
    base.pop("applies_when", None)
    return Control.model_validate(base)


@pytest.mark.parametrize("rule", [
    {"every": "systems", "require": {"path": "name", "not_empty": True}},
    {"every": "systems", "require": {"path": "id", "in": ["a", "b"]}},
    {"every": "systems", "where": {"path": "name", "exists": True}, "require": {"path": "logging", "exists": True}},
    {"every": "systems", "require": {"path": "logging.retention", "equals": {"path": "name"}}},
    {"every": "systems", "require": {"path": "/systems", "not_empty": True}},
    {"every": "systems", "require": {"some": "/systems", "require": {"path": "id", "exists": True}}},
    {"every": "systems", "require": {"all": [{"path": "hosts", "exists": True},
                                             {"not": {"path": "name.x", "exists": True}}]}},
    {"every": "program.data_subjects", "require": {"path": "type", "exists": True}},
])
def test_a_rule_that_reads_a_subjects_id_or_name_is_not_stamped(rule: dict[str, Any]) -> None:
    assert stamping._eligible(_control(rule)) is None


@pytest.mark.parametrize("rule", [
    {"every": "systems", "require": {"path": "logging.access_logs", "equals": True}},
    {"every": "systems", "where": {"path": "hosting.type", "equals": "cloud"},
     "require": {"any": [{"path": "/facts.public_body", "equals": True}, {"path": "encryption", "exists": True}]}},
    {"every": "systems", "require": {"every": "authentication", "require": {"path": "mfa", "equals": "required"}}},
])
def test_a_rule_that_reads_only_the_subjects_fields_is_stamped(rule: dict[str, Any]) -> None:
    assert stamping._eligible(_control(rule)) is not None


def test_an_all_of_lists_stamps_the_parts_that_allow_it() -> None:
    """NET-01's shape: systems (stamped) and the hosts a scan saw undeclared (evaluated as usual);
    two parts over one list are not stamped (one subject's findings of both are merged)."""
    systems = {"every": "systems", "require": {"path": "observed.exposed_data_stores", "equals": []}}
    by_name = {"every": "processors", "require": {"path": "name", "exists": True}}
    parts = stamping._eligible(_control({"all": [systems, by_name, {"path": "/facts.public_body", "equals": True}]}))
    assert parts is not None and [ok for _, ok in parts] == [True, False, False]
    assert stamping._eligible(_control({"all": [systems, dict(systems, require={"path": "hosts", "exists": True})]})) \
        is None


def test_stamping_off_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_declaration(tmp_path / "many.yaml", 25)
    on, whole = both_ways(path, "en")
    monkeypatch.setenv("RESGUARDA_STAMP", "0")
    assert stamped_controls(path) == {}
    off, _ = both_ways(path, "en")
    assert on == off == whole


def _sentence_with_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings' sentences that end with their path, and so hold their subject's id outside its name."""
    from checker import explain

    real = explain.reason

    def reason(finding: Any, lang: str, result: Any = None) -> str:
        return f"{real(finding, lang, result)} [{finding.path}]"

    monkeypatch.setattr(explain, "reason", reason)


def test_a_sentence_that_names_the_subjects_path_gets_no_template(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A template would give every subject the first one's path in its sentence: none is made, each
    subject is evaluated in full, and the bytes are right."""
    _sentence_with_path(monkeypatch)
    made: list[bool] = []
    real = stamping._template
    monkeypatch.setattr(stamping, "_template", lambda *args: made.append(real(*args) is not None))
    path = write_declaration(tmp_path / "many.yaml", 12)
    stamped, whole = both_ways(path, "es")
    assert b"sistema-000011].authentication]" in whole
    assert stamped == whole
    assert made and not any(made)


def test_the_second_subject_of_a_shape_is_checked_against_its_stamp(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a template pass its own check but stamp something wrong (here: the check of the subject's
    id outside the slots is taken away), the second subject's full evaluation tells: the control is
    then evaluated as usual."""
    _sentence_with_path(monkeypatch)
    monkeypatch.setattr(stamping, "_own_text_outside_slots", lambda text, member: False)
    path = write_declaration(tmp_path / "many.yaml", 12)
    stamped, whole = both_ways(path, "es")
    assert stamped == whole
    assert stamped_controls(path) == {}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_scans_undeclared_hosts_are_stamped_by_what_the_rule_reads(tmp_path: Path, lang: str) -> None:
    """A scan's hosts differ in nearly everything, but a rule that reads only whether a host was
    declared (NET-04) sees them alike: its findings are stamped, the others are evaluated as usual,
    and the bytes are the whole document's."""
    bench = load_script("bench_scan")
    scan = tmp_path / "scan.xml"
    bench.generate(scan, 300, shape="tls-heavy")
    path = tmp_path / "declaration.yaml"
    path.write_text(bench.DECLARATION.format(file=scan.name), encoding="utf-8")
    stamped = stamped_controls(path)
    assert stamped.get("NET-04", 0) > 250, stamped
    assert "NET-01" not in stamped   # its findings show each host's address: nothing alike to stamp
    stamped_bytes, whole = both_ways(path, lang)
    assert stamped_bytes == whole


def test_what_a_rule_can_see_of_an_item() -> None:
    """Two items look alike to a rule only if every walk it makes gives the same: the value reached,
    how far the walk went, and the scan each mapping on the way cites (its findings name that scan)."""
    from checker.scan.frozen import FrozenList

    reads = (("observed", "declared"),)

    def seen(item: dict[str, Any]) -> str | None:
        return stamping._projection(item, reads)

    host = {"id": "10.0.0.1", "address": "10.0.0.1", "observed": {"scan": "a", "declared": False, "ports": [22]}}
    other = {"id": "10.0.0.2", "address": "10.0.0.2", "observed": {"scan": "a", "declared": False, "ports": [80]}}
    assert seen(host) == seen(other)   # what the rule does not read may differ
    assert seen(host) != seen({**other, "observed": {**other["observed"], "scan": "b"}})
    assert seen(host) != seen({**other, "observed": {**other["observed"], "stale": True}})
    assert seen(host) != seen({**other, "scan": "b"})
    assert seen(host) != seen({**other, "observed": {**other["observed"], "declared": 0}})
    assert seen({"observed": False}) != seen({"observed": {"declared": False}})
    assert seen({"observed": None}) == seen({})   # absent either way
    assert seen({"observed": {"declared": [1]}}) == seen({"observed": {"declared": FrozenList([1])}})
    assert seen({"observed": {"declared": {1: "not text keys"}}}) is None
