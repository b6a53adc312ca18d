"""The command line: argument parsing, exit codes and messages only; the work is done elsewhere.

Exit codes (results.md): evaluate 0/1 (1 still writes the report), 2 bad input or usage (nothing
written), 3 internal or external-tool error (nothing written).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.errors import InputError, ToolError, UsageError
from checker.i18n import LANGS, t
from checker.vocabulary import SEVERITIES as SEVERITY_CHOICES

if TYPE_CHECKING:
    from checker.output import Content
    from checker.result import ResultDocument

PDF_VARIANTS = ("pdf/a-3b", "pdf/a-3a", "pdf/ua-1")


def _lang(args: argparse.Namespace | None = None) -> str:
    lang = getattr(args, "lang", None) or os.environ.get("RESGUARDA_LANG", "es")
    return lang if lang in LANGS else "es"


_building_lang: str | None = None  # the language of the parser being built (verb modules ask for it)


def help_lang(argv: list[str] | None = None) -> str:
    """The language of `--help`: `--lang` on the command line, else RESGUARDA_LANG, else Spanish."""
    if argv is None and _building_lang is not None:
        return _building_lang
    words = sys.argv[1:] if argv is None else argv
    for i, word in enumerate(words):
        if word == "--lang" and i + 1 < len(words) and words[i + 1] in LANGS:
            return words[i + 1]
        if word.startswith("--lang=") and word[7:] in LANGS:
            return word[7:]
    env = os.environ.get("RESGUARDA_LANG", "es")
    return env if env in LANGS else "es"


def _as_of(value: str | None, lang: str) -> date | None:
    if value is None:
        return None
    try:
        when = date.fromisoformat(value)
    except ValueError:
        raise UsageError(t("cli", lang, "error.as_of", value=value)) from None
    from checker.durations import AS_OF_MAX, AS_OF_MIN, as_of_in_range

    if not as_of_in_range(when):
        raise UsageError(t("integrity", lang, "as_of.out_of_range", value=value, low=AS_OF_MIN, high=AS_OF_MAX)
                         + "\n  -> " + t("integrity", lang, "as_of.out_of_range.hint"))
    return when


def _catalog(args: argparse.Namespace) -> Any:
    from checker.catalog import load_catalog

    return load_catalog(Path(args.catalog) if getattr(args, "catalog", None) else None, lang=_lang(args))


def _format_for(args: argparse.Namespace, lang: str) -> str | None:
    from checker.render import EXTENSIONS, FORMATS

    if args.format:
        return str(args.format)
    if args.output:
        fmt = EXTENSIONS.get(Path(args.output).suffix.lower())
        if fmt is None:
            raise UsageError(t("cli", lang, "error.format_from_ext", file=args.output) + "\n  -> "
                             + t("cli", lang, "error.format_hint", formats=", ".join(FORMATS)))
        return fmt
    return None


def _check_output_folder(output: str | None, lang: str, inputs: list[tuple[str, Any]] | None = None) -> None:
    """Refuse a bad output target before the work (an evaluation, a scan), not after it."""
    from checker.output import check_output, is_stdout

    if output and not is_stdout(output) and not Path(output).parent.is_dir():
        raise InputError(output, t("cli", lang, "error.output_dir", dir=Path(output).parent),
                         hint=t("cli", lang, "error.output_dir_hint"))
    check_output(output, inputs or (), lang)


def _loaded_inputs(loaded: Any, catalog: Any) -> list[tuple[str, Any]]:
    """The files a declaration and the catalog bring in: none of them may be an output target."""
    base = loaded.base_dir
    found: list[tuple[str, Any]] = [("evidence", base / ev.path) for ev in loaded.model.evidence or []]
    found += [("scan", base / scan.file) for scan in loaded.model.scans or []]
    folder = getattr(catalog, "folder", None)
    if folder is not None:
        found += [("catalog", Path(folder) / name) for name in ["catalog.yaml", *catalog.index.files]]
    return found


def _emit(content: Content, output: str | None, fmt: str, lang: str) -> None:
    from checker.output import is_stdout, write_atomic

    if not output and fmt in ("pdf", "xlsx"):
        raise UsageError(t("cli", lang, "error.binary_stdout", fmt=fmt))
    write_atomic(output or "-", content, lang)
    if output and not is_stdout(output):
        print(t("cli", lang, "written", path=output), file=sys.stderr)


def _warn(warnings: list[str], lang: str) -> None:
    from checker.neutral import terminal

    for w in warnings:
        print(f"{t('cli', lang, 'warning')}: {terminal(w)}", file=sys.stderr)


# -- verbs -----------------------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    from checker.api import evaluate_loaded, in_steps
    from checker.evaluate import exit_code
    from checker.render import RenderOptions, render_pieces, sarif_uri_base
    from checker.validate import load_declaration

    lang = _lang(args)
    fmt = _format_for(args, lang)
    inputs: list[tuple[str, Any]] = [("declaration", args.declaration)]
    if args.thresholds:
        inputs.append(("thresholds", args.thresholds))
    _check_output_folder(args.output, lang, inputs)
    as_of = _as_of(args.as_of, lang)
    catalog = _catalog(args)
    thresholds = None
    if args.thresholds:
        from checker.thresholds import load_thresholds

        thresholds = load_thresholds(Path(args.thresholds), lang)
    loaded = load_declaration(Path(args.declaration), args.declaration, lang=lang)
    _check_output_folder(args.output, lang, inputs + _loaded_inputs(loaded, catalog))
    if fmt == "json" and thresholds is None and in_steps(loaded):
        return _evaluate_json_in_steps(args, loaded, catalog, as_of, lang)
    doc = evaluate_loaded(loaded, as_of=as_of, lang=lang, profile=args.profile, catalog=catalog)
    _warn(loaded.warnings, lang)
    if fmt is None:
        print_summary(doc, lang, args.fail_on)
    else:
        # SARIF paths are relative to where the tool runs (the repository root in CI), so code
        # scanning can find the declaration; the result document itself only holds its file name.
        uri_base = sarif_uri_base(args.sarif_uri_base, Path(args.declaration).parent)
        options = RenderOptions(lang=lang, page_size=args.page_size, pdf_variant=args.pdf_variant,
                                extra={"sarif_uri_base": uri_base})
        _emit(render_pieces(doc, fmt, options), args.output, fmt, lang)
    code = exit_code(doc, args.fail_on)
    if thresholds is not None:
        from checker.thresholds import check_thresholds

        violations = check_thresholds(doc, thresholds)
        for v in violations:
            print(t("cli", lang, "thresholds.failed", what=v), file=sys.stderr)
        # With thresholds, they decide the gate (teams that adopt gradually); --fail-on still applies if given.
        code = 1 if violations or (args.fail_on_given and code) else 0
    return code


def _evaluate_json_in_steps(args: argparse.Namespace, loaded: Any, catalog: Any, as_of: date | None,
                            lang: str) -> int:
    """`--format json` written as it is evaluated (checker/render/json_stream.py): the same bytes as
    the whole document, without holding it (no thresholds: they read the whole document)."""
    from checker.evaluate import exit_code
    from checker.render.json_stream import StreamedJson

    with StreamedJson(loaded, args.output, as_of=as_of, lang=lang, profile=args.profile,
                      catalog=catalog) as streamed:
        _warn(loaded.warnings, lang)
        _emit(streamed.pieces(), args.output, "json", lang)
        return exit_code(streamed.outlines, args.fail_on)


def print_summary(doc: ResultDocument, lang: str, fail_on: str) -> None:
    from checker import explain
    from checker.result import count_subjects
    from checker.vocabulary import GATING, RANK, SEVERITY_RANK, WAIVED, severity_word, status_word

    def tr(key: str, **kw: Any) -> str:
        return t("cli", lang, key, **kw)

    from checker.neutral import terminal
    from checker.problems import count_text

    s = doc.summary
    print(tr("summary.title", program=terminal(doc.program.name)))
    print(tr("summary.meta", catalog=doc.catalog.id, version=doc.catalog.version,
             profile=doc.profile, law=doc.law, as_of=doc.as_of))
    print(tr("summary.score", score="—" if s.score is None else f"{s.score:.1f}"))
    print("  " + " · ".join(f"{status_word(k, lang)}: {n}" for k, n in s.counts.items()))
    limit = SEVERITY_RANK[fail_on]
    # Undecided controls gate too, but they are not gaps: they are counted apart, with the way to list them.
    undecided = [r for r in doc.results if r.status == "unknown" and SEVERITY_RANK[r.severity] <= limit]
    gaps = [r for r in doc.results if r.status in GATING and r.status != "unknown"]
    gaps.sort(key=lambda r: (SEVERITY_RANK[r.severity], RANK[r.status]))
    serious = [r for r in gaps if SEVERITY_RANK[r.severity] <= limit]
    if undecided:
        print(count_text("cli", lang, "summary.undecided", len(undecided),
                         severity=severity_word(fail_on, lang).lower()))
    if not serious:
        print(tr("summary.none", severity=severity_word(fail_on, lang).lower()))
        return
    print(tr("summary.worst"))
    for r in serious[:10]:
        # The reason of a subject with the control's own status: never a waiver that covers another one.
        own = next((f for f in r.findings if f.status == r.status), None)
        reason = explain.reason(own, lang, r) if own is not None else next(
            iter(explain.result_reasons(r, doc.waivers, lang)), "")
        print(f"  [{severity_word(r.severity, lang)}/{status_word(r.status, lang)}] {r.control_id} "
              f"{terminal(r.text(lang).title)}\n      {terminal(reason)}")
        if r.waiver is not None:
            waived = count_subjects(r)[WAIVED]
            print("      " + count_text("cli", lang, "summary.waiver_partly", waived, id=r.waiver.id))
    if len(serious) > 10:
        print(tr("summary.more", n=len(serious) - 10))


def cmd_validate(args: argparse.Namespace) -> int:
    from checker.evaluate import check_catalog_references
    from checker.validate import load_declaration

    lang = _lang(args)
    loaded = load_declaration(Path(args.declaration), args.declaration, lang=lang)
    # Waivers and evidence name controls: check them against the catalog too.
    check_catalog_references(loaded, _catalog(args), lang)
    _warn(loaded.warnings, lang)
    m = loaded.model
    from checker.problems import count_text

    print(t("problems", lang, "valid", file=args.declaration,
            systems=count_text("problems", lang, "valid.systems", len(m.systems or [])),
            categories=count_text("problems", lang, "valid.categories", len(m.data_inventory or []))))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from checker.catalog import check_catalog

    lang = _lang(args)
    if args.action == "diff":
        return _catalog_diff(args, lang)
    catalog = _catalog(args)
    if args.action == "test":
        return _catalog_test(args, catalog, lang)
    if args.action == "list":
        controls = catalog.select(args.profile) if args.profile else catalog.controls
        for c in controls:
            print(f"{c.id:8} {c.severity:8} {c.domain:18} {c.title.get(lang)}")
        return 0
    if args.action == "show":
        control = catalog.get(args.id or "")
        if control is None:
            raise UsageError(t("cli", lang, "catalog.unknown_control", id=args.id) + "\n  -> "
                             + t("cli", lang, "catalog.unknown_hint"))
        file, line, col = catalog.locations[control.id]
        data = control.model_dump(mode="json", by_alias=True, exclude_none=True)
        data["source"] = f"{Path(file).name}:{line}:{col}"
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    problems = check_catalog(catalog, lang)
    if problems:
        print(t("cli", lang, "error.catalog"), file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 2
    print(t("cli", lang, "catalog.ok", id=catalog.index.id, version=catalog.index.version,
            n=len(catalog.controls), domains=len({c.domain for c in catalog.controls})))
    return 0


def _catalog_test(args: argparse.Namespace, catalog: Any, lang: str) -> int:
    """The catalog's own cases (`cases.yaml` beside it): 0 when all reach their status, 1 when one does not."""
    from checker.catalog_cases import report_json, report_text, run_cases
    from checker.resources import controls_dir

    folder = Path(args.catalog) if getattr(args, "catalog", None) else controls_dir()
    report = run_cases(catalog, folder, lang, only=args.id)
    fmt = args.format or "text"
    text = report_json(report) if fmt == "json" else report_text(report, lang)
    _emit(text.encode("utf-8"), args.output, fmt, lang)
    return 1 if report.failed else 0


def _catalog_diff(args: argparse.Namespace, lang: str) -> int:
    from checker.catalog_diff import diff_catalogs, load_pair, render_catalog_diff

    if not args.id or not args.new:
        raise UsageError(t("catalog_diff", lang, "usage"))
    old, new = load_pair(Path(args.id), Path(args.new), lang)
    fmt = args.format or "text"
    _emit(render_catalog_diff(diff_catalogs(old, new, lang), fmt, lang).encode("utf-8"), args.output, fmt, lang)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from checker.schema import declaration_schema, result_schema

    if args.docs:
        from checker.reference import declaration_reference

        print(declaration_reference(_lang(args)), end="")
        return 0
    schema = result_schema() if args.result else declaration_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from checker.scan.runner import run_scan
    from checker.scan.targets import validate_ports, validate_targets

    lang = _lang(args)
    targets = validate_targets(args.targets, lang)
    ports = validate_ports(args.ports, lang)
    _check_output_folder(args.output, lang)
    print(t("cli", lang, "scan.progress", targets=" ".join(targets), ports=ports, profile=args.profile),
          file=sys.stderr)
    run_scan(targets, ports, args.profile, Path(args.output), lang=lang)
    print(t("cli", lang, "scan.done", path=args.output), file=sys.stderr)
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    from checker.checklist import render_checklist

    if args.action == "import":   # `checklist import ANSWERS`: checker/commands/checklist_import.py
        from checker.commands.checklist_import import run

        return run(args)
    lang = _lang(args)
    _check_output_folder(args.output, lang)
    fmt = args.format or ({".pdf": "pdf", ".md": "md", ".csv": "csv", ".xlsx": "xlsx"}.get(
        Path(args.output).suffix.lower(), "md") if args.output else "md")
    content = render_checklist(_catalog(args), args.profile, fmt, lang)
    _emit(content, args.output, fmt, lang)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from checker.diff import diff_documents, diff_exit_code, load_result
    from checker.render.diff_text import render_diff

    lang = _lang(args)
    _check_output_folder(args.output, lang, [("result", args.old), ("result", args.new)])
    old = load_result(Path(args.old), lang)
    new = load_result(Path(args.new), lang)
    if not args.lang:  # the report's language follows the newer evaluation unless asked
        lang = new.lang
    diff = diff_documents(old, new, lang)
    text = render_diff(diff, args.format, lang)
    _emit(text.encode("utf-8"), args.output, args.format, lang)
    return diff_exit_code(diff)


# -- parsing ---------------------------------------------------------------------------------
def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    from checker.argparse_words import use_language
    from checker.catalog import PROFILES
    from checker.render import FORMATS

    global _building_lang
    hl = help_lang(argv)
    _building_lang = hl
    use_language(hl)

    def h(key: str, **values: Any) -> str:
        # Help texts pass through argparse's %-formatting: a literal % must be doubled there.
        return t("cli", hl, "help." + key, **values).replace("%", "%%")

    file_meta = h("meta.file")
    p = argparse.ArgumentParser(prog="resguarda", description=h("description"), epilog=h("epilog"))
    p.add_argument("--version", action="version", version=f"resguarda {__version__}", help=h("version"))
    sub = p.add_subparsers(dest="verb", required=True, title=h("verbs"), metavar=h("meta.verb"))

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--lang", choices=LANGS, help=h("lang"))
        sp.add_argument("--catalog", metavar=h("meta.dir"), help=h("catalog_dir"))

    e = sub.add_parser("evaluate", help=h("evaluate"), description=h("evaluate.description"))
    e.add_argument("declaration", metavar=h("meta.declaration"), help=h("declaration"))
    e.add_argument("--format", choices=list(FORMATS), help=h("evaluate.format"))
    e.add_argument("-o", "--output", metavar=file_meta, help=h("evaluate.output"))
    e.add_argument("--profile", choices=PROFILES, help=h("profile"))
    e.add_argument("--fail-on", choices=SEVERITY_CHOICES, default=None, help=h("evaluate.fail_on"))
    e.add_argument("--as-of", metavar=h("meta.date"), help=h("evaluate.as_of"))
    e.add_argument("--page-size", choices=["A4", "Letter"], default="A4", help=h("evaluate.page_size"))
    e.add_argument("--pdf-variant", choices=PDF_VARIANTS, default=None, help=h("evaluate.pdf_variant"))
    e.add_argument("--thresholds", metavar=file_meta, help=h("evaluate.thresholds"))
    e.add_argument("--sarif-uri-base", metavar=h("meta.dir"), default=None, help=h("evaluate.sarif_uri_base"))
    common(e)
    e.set_defaults(func=cmd_evaluate)

    v = sub.add_parser("validate", help=h("validate"), description=h("validate.description"))
    v.add_argument("declaration", metavar=h("meta.declaration"), help=h("declaration"))
    common(v)
    v.set_defaults(func=cmd_validate)

    c = sub.add_parser("catalog", help=h("catalog"), description=h("catalog.description"))
    c.add_argument("action", choices=["list", "show", "check", "test", "diff"], nargs="?", default="list",
                   help=h("catalog.action"))
    c.add_argument("id", nargs="?", metavar="ID", help=h("catalog.id"))
    c.add_argument("new", nargs="?", metavar=t("cli", hl, "help.meta.new"), help=h("catalog.new"))
    c.add_argument("--format", choices=["text", "md", "json"], default=None, help=h("catalog.format"))
    c.add_argument("-o", "--output", metavar=file_meta, help=h("catalog.output"))
    c.add_argument("--profile", choices=PROFILES, help=h("profile"))
    common(c)
    c.set_defaults(func=cmd_catalog)

    s = sub.add_parser("schema", help=h("schema"), description=h("schema.description"))
    s.add_argument("--result", action="store_true", help=h("schema.result"))
    s.add_argument("--docs", action="store_true", help=h("schema.docs"))
    s.add_argument("--lang", choices=LANGS, help=h("lang"))
    s.set_defaults(func=cmd_schema)

    sc = sub.add_parser("scan", help=h("scan"), description=h("scan.description"))
    sc.add_argument("targets", nargs="+", metavar=h("meta.target"), help=h("scan.targets"))
    sc.add_argument("--ports", required=True, metavar=h("meta.ports"), help=h("scan.ports"))
    sc.add_argument("--profile", choices=["quick", "tls", "full"], default="tls", help=h("scan.profile"))
    sc.add_argument("-o", "--output", required=True, metavar=file_meta, help=h("scan.output"))
    sc.add_argument("--lang", choices=LANGS, help=h("lang"))
    sc.set_defaults(func=cmd_scan)

    ck = sub.add_parser("checklist", help=h("checklist"), description=h("checklist.description"))
    ck.add_argument("--profile", choices=PROFILES, default="vendor", help=h("checklist.profile"))
    ck.add_argument("action", nargs="?", choices=["import"], help=h("checklist.action"))
    ck.add_argument("answers", nargs="?", metavar=h("meta.answers"), help=h("checklist.answers"))
    ck.add_argument("--format", choices=["pdf", "md", "csv", "xlsx"], help=h("checklist.format"))
    ck.add_argument("-o", "--output", metavar=file_meta, help=h("output"))
    common(ck)
    ck.set_defaults(func=cmd_checklist)

    d = sub.add_parser("diff", help=h("diff"), description=h("diff.description"))
    d.add_argument("old", metavar=h("meta.old"), help=h("diff.old"))
    d.add_argument("new", metavar=h("meta.new"), help=h("diff.new"))
    d.add_argument("--format", choices=["text", "md", "json"], default="text", help=h("diff.format"))
    d.add_argument("-o", "--output", metavar=file_meta, help=h("output"))
    d.add_argument("--lang", choices=LANGS, help=h("diff.lang"))
    d.set_defaults(func=cmd_diff)

    import importlib

    from checker.commands import VERBS

    for verb in VERBS:
        importlib.import_module(f"checker.commands.{verb}").register(sub, common)
    return p


class Terminated(BaseException):
    """SIGTERM (a cancelled CI job, `kill`): raised where the run is, so that what it was writing is
    removed on the way out (a temporary file beside the output) and the earlier report stays."""


# The process whose run the handler ends; its forked workers inherit the handler.
_OWNER = [0]


def _terminated(signum: int, frame: object) -> None:
    if os.getpid() != _OWNER[0]:
        # A forked worker (a pool stopped with SIGTERM, a child of checker.forked): it ends as SIGTERM
        # ends it, quietly; the run that owns it cleans up.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    # Only the main thread may set a handler; the one before is put back when the run ends.
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    _OWNER[0] = os.getpid()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _main(argv: list[str] | None) -> int:
    from checker.neutral import ascii_fallback, terminal, terminal_lines

    for stream in (sys.stdout, sys.stderr):
        ascii_fallback(stream)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.verb == "evaluate":
        args.fail_on_given = args.fail_on is not None
        args.fail_on = args.fail_on or "high"
    lang = _lang(args)
    # A run is short and builds many small objects that are never cyclic garbage (findings,
    # observed ports): collecting them over and over costs a third of a large scan's evaluation.
    gc.disable()
    try:
        code: int = args.func(args)
        return code
    except InputError as exc:
        print(f"resguarda: {exc}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"resguarda: {terminal_lines(exc)}", file=sys.stderr)
        return 2
    except ToolError as exc:
        print(f"resguarda: {terminal_lines(exc)}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - the promise is: no traceback, exit 3
        if os.environ.get("RESGUARDA_DEBUG"):
            raise
        print(f"resguarda: {terminal(t('cli', lang, 'error.internal', error=f'{type(exc).__name__}: {exc}'))}",
              file=sys.stderr)
        return 3
