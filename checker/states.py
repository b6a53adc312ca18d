"""The 32 federal entities of Mexico: ISO 3166-2 code -> official short name.

Used to show a state by its name in reports (not "MX-CHP") and to suggest the code when an owner
writes the name ("Chiapas", "nuevo leon", "CDMX").
"""

from __future__ import annotations

import unicodedata

STATES: dict[str, str] = {
    "MX-AGU": "Aguascalientes", "MX-BCN": "Baja California", "MX-BCS": "Baja California Sur",
    "MX-CAM": "Campeche", "MX-CHP": "Chiapas", "MX-CHH": "Chihuahua", "MX-CMX": "Ciudad de México",
    "MX-COA": "Coahuila", "MX-COL": "Colima", "MX-DUR": "Durango", "MX-GUA": "Guanajuato",
    "MX-GRO": "Guerrero", "MX-HID": "Hidalgo", "MX-JAL": "Jalisco", "MX-MEX": "Estado de México",
    "MX-MIC": "Michoacán", "MX-MOR": "Morelos", "MX-NAY": "Nayarit", "MX-NLE": "Nuevo León",
    "MX-OAX": "Oaxaca", "MX-PUE": "Puebla", "MX-QUE": "Querétaro", "MX-ROO": "Quintana Roo",
    "MX-SLP": "San Luis Potosí", "MX-SIN": "Sinaloa", "MX-SON": "Sonora", "MX-TAB": "Tabasco",
    "MX-TAM": "Tamaulipas", "MX-TLA": "Tlaxcala", "MX-VER": "Veracruz", "MX-YUC": "Yucatán",
    "MX-ZAC": "Zacatecas",
}

# Other ways people write a state's name (after plain_words: lower case, no accents).
_ALIASES = {
    "cdmx": "MX-CMX", "df": "MX-CMX", "distrito federal": "MX-CMX", "mexico": "MX-MEX",
    "edomex": "MX-MEX", "estado de mexico": "MX-MEX", "coahuila de zaragoza": "MX-COA",
    "michoacan de ocampo": "MX-MIC", "veracruz de ignacio de la llave": "MX-VER", "baja california norte": "MX-BCN",
}


def plain_words(text: str) -> str:
    """Lower case, no accents, single spaces: 'Nuevo  León' -> 'nuevo leon'."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().replace("_", " ").replace("-", " ").split())


def state_name(code: str | None) -> str | None:
    """'MX-CHP' -> 'Chiapas'; an unknown code is returned as written."""
    if code is None:
        return None
    return STATES.get(code, code)


def state_code(text: str) -> str | None:
    """The ISO code a user most likely means by `text` (a name, with or without accents, or a code)."""
    words = plain_words(text)
    if not words:
        return None
    for code, name in STATES.items():
        if words in (plain_words(name), plain_words(code), plain_words(code[3:])):
            return code
    if words in _ALIASES:
        return _ALIASES[words]
    import difflib

    names = {plain_words(name): code for code, name in STATES.items()}
    close = difflib.get_close_matches(words, list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None
