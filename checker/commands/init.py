"""`resguarda init`: a short interview that writes a first, commented declaration that validates.

About a dozen questions (who runs the program, for whom, minors, systems and hosting, data,
Llave MX, processors), asked in the user's language; answers can also come from a YAML file
(`--answers`) or from `--answer KEY=VALUE` flags, for scripts. Every field not asked is written as a
commented line saying what it decides (see `checker.declaration_template`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.i18n import t

Answers = dict[str, Any]


def _t(lang: str, key: str, /, **values: Any) -> str:
    return t("init", lang, key, **values)


@dataclass(frozen=True)
class Question:
    key: str
    kind: str                                   # text, choice, choices, yesno, number, list, state, country
    options: tuple[str, ...] = ()
    optional: bool = False
    when: Callable[[Answers], bool] | None = None


OPERATOR_TYPES = ("public_agency", "public_school", "public_university", "private_school", "private_company", "ngo")
SUBJECTS = ("student", "applicant", "guardian", "staff", "alumni")
CATEGORIES = ("identification", "contact", "official_id", "academic", "socioeconomic", "financial", "health",
              "images", "biometric", "location", "credentials", "behavioral")

QUESTIONS: tuple[Question, ...] = (
    Question("program", "text"),
    Question("operator", "text"),
    Question("operator_type", "choice", OPERATOR_TYPES),
    Question("role", "choice", ("responsable", "encargado")),
    Question("controller", "text", when=lambda a: a.get("role") == "encargado"),
    Question("level", "choice", ("federal", "state", "municipal"),
             when=lambda a: str(a.get("operator_type", "")).startswith("public_")),
    Question("state", "state", optional=True, when=lambda a: a.get("level") != "federal"),
    Question("subjects", "choices", SUBJECTS),
    Question("minors", "yesno"),
    Question("min_age", "number", optional=True, when=lambda a: a.get("minors") is True),
    Question("systems", "list"),
    Question("hosting", "choice", ("on_premises", "cloud", "saas")),
    Question("hosting_country", "country", when=lambda a: a.get("hosting") in ("cloud", "saas")),
    Question("categories", "choices", CATEGORIES),
    Question("llave_mx", "yesno"),
    Question("llave_mx_system", "system", when=lambda a: a.get("llave_mx") is True and len(a.get("systems", [])) > 1),
    Question("processors", "list", optional=True),
    Question("email", "text", optional=True),
)


class BadAnswer(ValueError):
    """The answer does not fit; the message says what would."""


def _slug(text: str) -> str:
    from checker.states import plain_words

    words = "".join(c if c.isalnum() and c.isascii() else " " for c in plain_words(text))
    slug = "-".join(words.split())[:63].strip("-")
    return slug or "sistema"


def _unique_ids(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        base = _slug(name)
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base[:60]}-{n}", n + 1
        seen.add(ident)
        out.append(ident)
    return out


def parse_answer(q: Question, raw: Any, answers: Answers, lang: str) -> Any:
    """The typed value of one answer (typed in a terminal or read from a file); BadAnswer if it does not fit."""
    from checker import suggestions

    if isinstance(raw, str):
        raw = raw.strip()
    if raw in ("", None, []):
        if q.optional:
            return None
        raise BadAnswer(_t(lang, "bad.required"))
    if q.kind == "text":
        return str(raw)
    if q.kind in ("choice", "system"):
        options = list(q.options) if q.kind == "choice" else list(answers.get("systems", []))
        return _one_choice(raw, options, lang, q.key)
    if q.kind == "choices":
        items = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
        return list(dict.fromkeys(_one_choice(item, list(q.options), lang, q.key) for item in items
                                  if str(item).strip()))
    if q.kind == "yesno":
        if isinstance(raw, bool):
            return raw
        meant = suggestions.boolean(raw)
        if meant is None and str(raw).lower() in ("yes", "y", "true", "no", "n", "false"):
            meant = str(raw).lower() in ("yes", "y", "true")
        if meant is None:
            raise BadAnswer(_t(lang, "bad.yesno"))
        return meant
    if q.kind == "number":
        try:
            number = int(str(raw))
        except ValueError:
            raise BadAnswer(_t(lang, "bad.number")) from None
        if not 0 <= number <= 120:
            raise BadAnswer(_t(lang, "bad.number"))
        return number
    if q.kind == "list":
        items = raw if isinstance(raw, list) else str(raw).split(",")
        names = [str(i).strip() for i in items if str(i).strip()]
        if not names and not q.optional:
            raise BadAnswer(_t(lang, "bad.required"))
        return names or None
    if q.kind == "state":
        code = suggestions.state(str(raw))
        if code is None:
            raise BadAnswer(_t(lang, "bad.state"))
        return code
    if q.kind == "country":
        code = suggestions.country(str(raw))
        if code is None:
            raise BadAnswer(_t(lang, "bad.country"))
        return code
    raise AssertionError(q.kind)


def _one_choice(raw: Any, options: list[str], lang: str, key: str) -> str:
    from checker import suggestions

    text = str(raw).strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    if text in options:
        return text
    labels = {_label(lang, key, o).lower(): o for o in options}
    if text.lower() in labels:
        return labels[text.lower()]
    meant = suggestions.enum_value(text, options)
    if meant is not None:
        return meant
    raise BadAnswer(_t(lang, "bad.choice", n=len(options)))


def _label(lang: str, key: str, option: str) -> str:
    from checker.i18n import messages

    return messages("init", lang).get(f"option.{key}.{option}", option)


# -- the interview ------------------------------------------------------------------------------
def interview(lang: str, given: Answers, ask: Callable[[str], str], say: Callable[[str], None],
              complete: bool = False) -> Answers:
    """Ask every question not already answered in `given`; re-ask until an answer fits.

    `complete`: the answers came from a script, which cannot be asked; what it left out is skipped."""
    answers: Answers = {}
    introduced = False
    for q in QUESTIONS:
        if q.when is not None and not q.when(answers):
            continue
        if q.key in given or complete:
            answers[q.key] = given.get(q.key)
            continue
        if not introduced:
            say(_t(lang, "intro"))
            introduced = True
        say("")
        say(_t(lang, f"q.{q.key}"))
        options = list(q.options) if q.kind != "system" else list(answers.get("systems", []))
        for i, option in enumerate(options, 1):
            label = option if q.kind == "system" else _label(lang, q.key, option)
            say(f"  {i}. {label}")
        hint = _t(lang, f"hint.{q.kind}") + (" " + _t(lang, "hint.optional") if q.optional else "")
        while True:
            raw = ask(f"{hint}> ")
            try:
                answers[q.key] = parse_answer(q, raw, answers, lang)
                break
            except BadAnswer as exc:
                say(f"  {exc}")
    return answers


def _answers_file(path: Path, lang: str) -> Any:
    from checker.locations import load_yaml_file

    located = load_yaml_file(path, str(path), lang)
    if not isinstance(located.data, dict):
        raise InputError(str(path), _t(lang, "answers.not_mapping"), 1, 1, _t(lang, "answers.keys",
                         keys=", ".join(q.key for q in QUESTIONS)))
    return located


def _check_given(raw: dict[str, Any], lang: str, source: str,
                 where: Callable[[str], tuple[int | None, int | None]], complete: bool) -> Answers:
    from checker.problems import raise_all

    known = {q.key: q for q in QUESTIONS}
    problems: list[InputError] = []
    answers: Answers = {}
    for key in raw:
        if key not in known:
            line, col = where(key)
            problems.append(InputError(source, _t(lang, "answers.unknown", key=key), line, col,
                                       _t(lang, "answers.keys", keys=", ".join(known))))
    # In the interview's order: a later answer may depend on an earlier one (llave_mx_system on systems).
    for key, value in ((q.key, raw[q.key]) for q in QUESTIONS if q.key in raw):
        line, col = where(key)
        try:
            answers[key] = parse_answer(known[key], value, {**raw, **answers}, lang)
        except BadAnswer as exc:
            problems.append(InputError(source, _t(lang, "answers.bad", key=key, value=value), line, col, str(exc)))
    # What the interview would ask but the file lacks (scripts cannot be asked).
    for q in QUESTIONS if complete else ():
        if q.key not in answers and not q.optional and (q.when is None or q.when(answers)) \
                and not any(p for p in problems if f"'{q.key}'" in p.message):
            problems.append(InputError(source, _t(lang, "answers.missing", key=q.key), None, None,
                                       _t(lang, f"q.{q.key}")))
    raise_all(source, problems, lang)
    return answers


# -- answers -> declaration ------------------------------------------------------------------
def declaration_values(a: Answers) -> dict[str, Any]:
    program: dict[str, Any] = {"name": a["program"], "operator": a["operator"],
                               "operator_type": a["operator_type"], "role": a["role"]}
    if a.get("controller"):
        program["controller"] = a["controller"]
    if a.get("level") or a.get("state"):
        program["jurisdiction"] = {k: v for k, v in (("level", a.get("level")), ("state", a.get("state"))) if v}
    program["country"] = "MX"
    subjects = []
    for s in a["subjects"]:
        item: dict[str, Any] = {"type": s}
        if s in ("student", "applicant"):
            item["includes_minors"] = bool(a.get("minors"))
            if a.get("minors") and a.get("min_age") is not None:
                item["min_age"] = a["min_age"]
        subjects.append(item)
    program["data_subjects"] = subjects
    if a.get("email"):
        program["contact"] = {"email": a["email"]}
    names: list[str] = a["systems"]
    ids = _unique_ids(names)
    systems = []
    llave_target = a.get("llave_mx_system") or (names[0] if a.get("llave_mx") else None)
    for ident, name in zip(ids, names, strict=True):
        hosting: dict[str, Any] = {"type": a["hosting"]}
        if a.get("hosting_country"):
            hosting["country"] = a["hosting_country"]
        system: dict[str, Any] = {"id": ident, "name": name, "hosting": hosting}
        if name == llave_target:
            system["authentication"] = [{"provider": "llave_mx", "protocol": "oauth2"}]
        systems.append(system)
    inventory = []
    for category in a["categories"]:
        entry: dict[str, Any] = {"id": category.replace("_", "-"), "category": category,
                                 "subjects": list(a["subjects"]), "systems": ids}
        if category == "biometric":
            entry["biometric"] = {}
        inventory.append(entry)
    values: dict[str, Any] = {"schema_version": 1, "program": program, "data_inventory": inventory,
                              "systems": systems}
    if a.get("processors"):
        values["processors"] = [{"id": pid, "name": name}
                                for pid, name in zip(_unique_ids(a["processors"]), a["processors"], strict=True)]
    return values


def write_declaration(answers: Answers, output: Path, lang: str, catalog_dir: Path | None = None) -> str:
    from checker.catalog import load_catalog
    from checker.declaration_template import commented_declaration
    from checker.field_controls import controls_by_field
    from checker.output import write_atomic

    header = _t(lang, "template.header", file=output.name).split("\n")
    decides = controls_by_field(load_catalog(catalog_dir, lang))
    text = commented_declaration(declaration_values(answers), header, lang, decides)
    write_atomic(output, text.encode("utf-8"), lang)
    return text


# -- the verb ------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    from checker.cli import _lang
    from checker.validate import load_declaration

    lang = _lang(args)
    output = Path(args.output)
    if output.exists() and not args.force:
        raise UsageError(_t(lang, "exists", file=output))
    raw: dict[str, Any] = {}
    source = "resguarda init"
    where: Callable[[str], tuple[int | None, int | None]] = lambda key: (None, None)  # noqa: E731
    if args.answers:
        located = _answers_file(Path(args.answers), lang)
        raw.update(located.data)
        source = args.answers
        where = lambda key: located.where((key,)) if key in located.data else (None, None)  # noqa: E731
    for item in args.answer or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise UsageError(_t(lang, "answer_flag", item=item))
        raw[key.strip()] = value
    # A script (answers file, or no terminal to ask in) must answer everything the interview needs.
    complete = bool(args.answers) or not sys.stdin.isatty()
    given = _check_given(raw, lang, source, where, complete) if raw or complete else {}

    def ask(prompt: str) -> str:
        try:
            return input(prompt)
        except EOFError:
            raise UsageError(_t(lang, "eof")) from None

    def say(text: str) -> None:
        print(text, file=sys.stderr if args.answers else sys.stdout)

    answers = interview(lang, given, ask, say, complete)
    write_declaration(answers, output, lang, Path(args.catalog) if args.catalog else None)
    load_declaration(output, str(output), lang=lang)  # what init writes must validate
    print(_t(lang, "done", file=output))
    return 0


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    from checker.cli import help_lang

    lang = help_lang()

    def h(key: str) -> str:
        return _t(lang, "help." + key).replace("%", "%%")

    p = sub.add_parser("init", help=h("init"), description=h("description"))
    p.add_argument("output", nargs="?", default=_t(lang, "default_file"), metavar=t("cli", lang, "help.meta.file"),
                   help=h("output"))
    p.add_argument("--answers", metavar=t("cli", lang, "help.meta.file"), help=h("answers"))
    p.add_argument("--answer", action="append", metavar=_t(lang, "help.meta.answer"), help=h("answer"))
    p.add_argument("--force", action="store_true", help=h("force"))
    common(p)
    p.set_defaults(func=run)
