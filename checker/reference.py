"""The declaration reference, generated from the models, the field and value labels and the catalog.

`resguarda schema --docs` prints it; `docs/declaracion.md` and `docs/declaration.md` are this output
committed (a test keeps them equal). For each field: its label and help, its type in words, the
allowed values with their labels, an example line, and the controls that read it. Labels come from
`checker.labels`; a field without a label yet is still listed, from the model.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from checker import labels
from checker.declaration import Declaration
from checker.declaration_template import accepts_false, choices, is_list, model_of, placeholder
from checker.i18n import DEFAULT_LANG, LANGS, t
from checker.states import STATES


def label_of(path: str, lang: str) -> str | None:
    """The field's label in `lang` (None when it has none in that language: no mixing)."""
    return labels.field_label(path, lang) if labels.has_field_label(path, lang) else None


def help_of(path: str, lang: str) -> str | None:
    return (labels.field_help(path, lang) or None) if labels.has_field_label(path, lang) else None


def value_label(path: str, value: str, lang: str) -> str | None:
    return labels.value_label(path, value, lang) if labels.has_value_label(path, value, lang) else None


def _r(lang: str, key: str, /, **values: Any) -> str:
    return t("reference", lang, key, **values)


def _type_words(info: FieldInfo, lang: str) -> str:
    annotation = info.annotation
    sample = placeholder(info, lang)
    if model_of(annotation) is not None:
        words = _r(lang, "type.list_of_items") if is_list(annotation) else _r(lang, "type.section")
    elif choices(annotation):
        words = _r(lang, "type.list_of_values") if is_list(annotation) else _r(lang, "type.one_value")
    elif sample.strip("[]") == "true | false":
        words = _r(lang, "type.bool")
    elif sample.strip("[]") == "0":
        words = _r(lang, "type.int")
    elif sample.strip("[]") in ("P1Y",):
        words = _r(lang, "type.duration")
    elif sample.strip("[]") in ("AAAA-MM-DD", "YYYY-MM-DD"):
        words = _r(lang, "type.date")
    elif sample.strip("[]") == "MX-JAL":
        words = _r(lang, "type.state")
    elif sample.strip("[]") == "MX":
        words = _r(lang, "type.country")
    elif sample.strip("[]") == "id":
        words = _r(lang, "type.id")
    elif sample.strip("[]") == "ENC-01":
        words = _r(lang, "type.control")
    else:
        words = _r(lang, "type.text")
    if is_list(annotation) and model_of(annotation) is None and not choices(annotation):
        words = _r(lang, "type.list", of=words)
    if accepts_false(annotation):
        words += " " + _r(lang, "type.or_false")
    return words


def _example(key: str, info: FieldInfo, lang: str) -> str:
    values = choices(info.annotation)
    sample = placeholder(info, lang)
    if values:
        sample = f"[{values[0]}]" if is_list(info.annotation) else values[0]
    elif sample.startswith("[") and "|" in sample:
        sample = "[true]"
    elif "|" in sample:
        sample = "true"
    if model_of(info.annotation) is not None:
        return f"{key}: …"
    return f"{key}: {sample}"


class _Writer:
    def __init__(self, lang: str, decides: dict[str, list[str]], titles: dict[str, str]) -> None:
        self.lang = lang
        self.decides = decides
        self.titles = titles
        self.out: list[str] = []

    def fields(self, model: type[BaseModel], prefix: str, depth: int) -> None:
        from checker.field_controls import controls_for

        lang = self.lang
        for name, info in model.model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            heading = "#" * min(depth, 4)
            label = label_of(path, lang)
            self.out += [f"{heading} `{path}`" + (f" — {label}" if label else ""), ""]
            help_text = help_of(path, lang)
            if help_text:
                self.out += [help_text, ""]
            required = _r(lang, "required") if info.is_required() else _r(lang, "optional")
            self.out.append(f"- **{_r(lang, 'type')}:** {_type_words(info, lang)} · {required}")
            values = choices(info.annotation)
            if values:
                shown = []
                for v in values:
                    vl = value_label(path, v, lang)
                    shown.append(f"`{v}`" + (f" ({vl})" if vl else ""))
                self.out.append(f"- **{_r(lang, 'values')}:** " + ", ".join(shown))
            self.out.append(f"- **{_r(lang, 'example')}:** `{_example(key, info, lang)}`")
            ids = controls_for(self.decides, path)
            if ids:
                self.out.append(f"- **{_r(lang, 'controls')}:** "
                                + "; ".join(f"{i} {self.titles.get(i, '')}".strip() for i in ids))
            else:
                self.out.append(f"- **{_r(lang, 'controls')}:** {_r(lang, 'no_controls')}")
            self.out.append("")
            sub = model_of(info.annotation)
            if sub is not None:
                self.fields(sub, path, depth + 1)


def declaration_reference(lang: str = DEFAULT_LANG) -> str:
    """The reference in Markdown, in `lang`."""
    from checker.catalog import load_catalog
    from checker.field_controls import controls_by_field

    lang = lang if lang in LANGS else DEFAULT_LANG
    catalog = load_catalog()
    titles = {c.id: c.title.get(lang) for c in catalog.controls}
    writer = _Writer(lang, controls_by_field(catalog), titles)
    writer.out += [f"# {_r(lang, 'title')}", "", _r(lang, "intro"), "", _r(lang, "how"), ""]
    writer.fields(Declaration, "", 2)
    writer.out += [f"## {_r(lang, 'states.title')}", "", _r(lang, "states.intro"), "",
                   f"| {_r(lang, 'states.code')} | {_r(lang, 'states.name')} |", "|---|---|"]
    writer.out += [f"| `{code}` | {name} |" for code, name in sorted(STATES.items(), key=lambda kv: kv[1])]
    return "\n".join(writer.out).rstrip() + "\n"
