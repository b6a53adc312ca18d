"""What a user most likely meant by a value the declaration refuses.

A Spanish-speaking owner writes the word they use every day ("tutor", "fotos", "sí", "Chiapas");
the declaration wants its own value (`guardian`, `images`, `true`, `MX-CHP`). These tables map the
everyday words (compared without accents or case) to the values of the format; a suggestion is only
made when the value it proposes is allowed at that place.
"""

from __future__ import annotations

import difflib

from checker.states import plain_words, state_code

# Everyday word -> value of the format. Several enums share a word ("consentimiento"): the caller
# keeps the one its field allows.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # people
    "tutor": ("guardian", "guardian_for_minors"), "tutora": ("guardian",), "tutores": ("guardian", "guardians"),
    "padre": ("guardian",), "madre": ("guardian",), "padres": ("guardian", "guardians"),
    "padres de familia": ("guardian", "guardians"), "papas": ("guardian", "guardians"),
    "alumno": ("student", "students"), "alumnos": ("student", "students"), "estudiante": ("student", "students"),
    "estudiantes": ("student", "students"), "aspirante": ("applicant", "applicants"),
    "aspirantes": ("applicant", "applicants"), "solicitante": ("applicant",), "personal": ("staff",),
    "docente": ("staff",), "docentes": ("staff",), "maestro": ("staff",), "maestros": ("staff",),
    "profesores": ("staff",), "trabajadores": ("staff",), "egresado": ("alumni",), "egresados": ("alumni",),
    "administradores": ("admins",), "titular": ("subject",), "otro": ("other",), "otros": ("other",),
    # data categories
    "video": ("images",), "videos": ("images",), "foto": ("images",), "fotos": ("images",),
    "fotografia": ("images",), "fotografias": ("images",), "imagen": ("images",), "imagenes": ("images",),
    "salud": ("health",), "medicos": ("health",), "biometrico": ("biometric",), "biometricos": ("biometric",),
    "huella": ("biometric",), "rostro": ("biometric",), "identificacion": ("identification",),
    "contacto": ("contact",), "academico": ("academic",), "academicos": ("academic",),
    "calificaciones": ("academic",), "socioeconomico": ("socioeconomic",), "socioeconomicos": ("socioeconomic",),
    "financiero": ("financial",), "financieros": ("financial",), "bancarios": ("financial",),
    "ubicacion": ("location",), "geolocalizacion": ("location",), "credenciales": ("credentials",),
    "contrasenas": ("credentials",), "curp": ("official_id",), "origen etnico": ("ethnic_origin",),
    "religion": ("beliefs",), "creencias": ("beliefs",), "comportamiento": ("behavioral",),
    # program
    "dependencia": ("public_agency",), "dependencia publica": ("public_agency",), "secretaria": ("public_agency",),
    "escuela publica": ("public_school",), "universidad publica": ("public_university",),
    "escuela particular": ("private_school",), "escuela privada": ("private_school",),
    "colegio": ("private_school",), "empresa": ("private_company",), "proveedor": ("private_company",),
    "asociacion civil": ("ngo",), "ong": ("ngo",), "estatal": ("state",), "municipio": ("municipal",),
    "piloto": ("pilot",), "produccion": ("production",), "planeado": ("planned",), "planeacion": ("planned",),
    # hosting, security
    "nube": ("cloud",), "en la nube": ("cloud",), "local": ("on_premises", "local"), "en sitio": ("on_premises",),
    "servidor propio": ("on_premises",), "requerido": ("required",), "obligatorio": ("required",),
    "opcional": ("optional",), "ninguno": ("none",), "ninguna": ("none",), "manual": ("manual",),
    "automatico": ("automated",), "borrado seguro": ("secure_deletion",), "anonimizacion": ("anonymization",),
    "archivo": ("archive", "files"), "correo": ("email",), "formulario": ("web_form",), "presencial": ("in_person",),
    # legal basis, consent
    "consentimiento": ("consent",), "mandato legal": ("legal_mandate",), "ley": ("legal_mandate",),
    "atribuciones": ("legal_attributions",), "tacito": ("tacit",), "expreso": ("express",),
    "expreso por escrito": ("express_written",), "por escrito": ("express_written",),
    "inscripcion": ("end_of_enrollment",), "fin de la inscripcion": ("end_of_enrollment",),
    "graduacion": ("graduation",), "recoleccion": ("collection",),
}

TRUE_WORDS = {"si", "sí", "verdadero", "cierto", "activado", "habilitado", "s"}
FALSE_WORDS = {"falso", "desactivado", "deshabilitado", "ninguno"}

COUNTRIES = {"mexico": "MX", "estados unidos": "US", "eua": "US", "eeuu": "US", "usa": "US",
             "canada": "CA", "espana": "ES", "irlanda": "IE", "alemania": "DE", "brasil": "BR",
             "colombia": "CO", "chile": "CL", "argentina": "AR", "francia": "FR", "paises bajos": "NL",
             "holanda": "NL", "reino unido": "GB", "japon": "JP", "china": "CN", "india": "IN"}


def enum_value(value: object, choices: list[str]) -> str | None:
    """The allowed value a user means by an everyday word, or the closest spelling of one."""
    if not isinstance(value, str):
        return None
    words = plain_words(value)
    for meant in SYNONYMS.get(words, ()):
        if meant in choices:
            return meant
    spelled = {plain_words(c): c for c in choices}
    if words in spelled:  # "Public Agency" -> public_agency
        return spelled[words]
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def boolean(value: object) -> bool | None:
    """`sí` -> True, `falso` -> False; None when the word is not a yes or a no."""
    if not isinstance(value, str):
        return None
    words = plain_words(value)
    if words in TRUE_WORDS:
        return True
    if words in FALSE_WORDS:
        return False
    return None


def country(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    words = plain_words(value)
    if len(words) == 2 and words.isalpha():
        return words.upper()
    return COUNTRIES.get(words)


def state(value: object) -> str | None:
    return state_code(value) if isinstance(value, str) else None


def nearest_id(value: object, known: list[str]) -> str | None:
    """The declared id a dangling or misspelled reference most likely names."""
    if not isinstance(value, str) or not known:
        return None
    plain = plain_words(value).replace(" ", "-")
    if plain in known:
        return plain
    close = difflib.get_close_matches(plain, known, n=1, cutoff=0.5)
    return close[0] if close else None
