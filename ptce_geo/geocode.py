"""Find a commune from an INSEE code, a postal code or a loosely written name.

Names are compared on a key that forgives case, accents, hyphens and
apostrophes, ``St``/``Ste`` for ``Saint``/``Sainte``, a missing or added
article (``Mureaux`` is Les Mureaux) and an arrondissement or CEDEX suffix
(``Paris 18e`` is Paris). A name that fits several communes, or none, is
never guessed: the answer lists the candidates.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .territories import Territories
from .text import slug

_ARTICLES = {"le", "la", "les", "l", "aux", "las", "los"}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SUFFIX = re.compile(r"( cedex( \d+)?| \d{1,2} ?(e|er|eme|ieme|ème)?( arrondissement)?| arrondissement)+$")


def name_key(value: object) -> str:
    """Comparison key of a commune name: ``"St-Denis"`` -> ``"saint denis"``."""
    text = slug(value, sep=" ")
    text = _SUFFIX.sub("", text).strip()
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    while len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


@dataclass
class Match:
    """The answer of a look-up.

    ``code`` is set when exactly one commune fits. ``statut`` is a short
    machine word (``insee``, ``nom``, ``ambigu``, ``inconnu``…), ``message`` a
    French sentence for the report, ``warning`` a French note on a fix that
    was applied, ``candidats`` the communes that could be meant.
    """

    code: str | None
    statut: str
    message: str = ""
    warning: str = ""
    candidats: list[str] = field(default_factory=list)


class Gazetteer:
    """Look-ups on the communes of one :class:`Territories`."""

    def __init__(self, territories: Territories):
        self.t = territories
        com = territories.communes
        self._com = territories.commune_index()
        self._by_name = _group(com["nom"].map(name_key), com["code"])
        old = territories.anciens_codes
        old = old[old["type"] != "ARM"]
        self._by_old_name = _group(old["ancien_nom"].map(name_key), old["code"])
        self._keys = list(self._by_name)
        cp = territories.codes_postaux
        self._by_postal = _group(cp["code_postal"], cp["commune_code"])
        deps = territories.departements
        self._dep_codes = set(deps["code"])
        self._dep_by_name = {name_key(n): c for c, n in zip(deps["code"], deps["nom"])}
        self._suggest_cached = functools.lru_cache(maxsize=4096)(self._suggest)

    # -- descriptions -------------------------------------------------------
    def describe(self, code: str) -> str:
        """``"Saint-Denis (93066, dép. 93)"``."""
        row = self._com.loc[code]
        return f"{row['nom']} ({code}, dép. {row['departement_code']})"

    def _describe_all(self, codes: list[str], limit: int = 8) -> str:
        text = " ; ".join(self.describe(c) for c in codes[:limit])
        if len(codes) > limit:
            text += f" ; et {len(codes) - limit} autres"
        return text

    # -- départements -------------------------------------------------------
    def departement(self, value: object) -> str | None:
        """Département code from a code (``1``, ``01``, ``2a``, ``974``) or a name."""
        text = str(value).strip().upper()
        if not text:
            return None
        if text.isdigit() and len(text) == 1:
            text = "0" + text
        if text in self._dep_codes:
            return text
        return self._dep_by_name.get(name_key(value))

    # -- INSEE codes ---------------------------------------------------------
    def by_insee(self, value: object) -> Match:
        """Commune from an INSEE code; leading zero restored, old codes remapped."""
        raw = str(value).strip().upper()
        if raw.endswith(".0") and raw[:-2].isdigit():  # a spreadsheet number
            raw = raw[:-2]
        code, warning = raw, ""
        if raw.isdigit() and len(raw) == 4:
            code = "0" + raw
            warning = f"code INSEE « {raw} » complété en « {code} » (zéro initial perdu par le tableur)"
        if not re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
            return Match(None, "insee_invalide",
                         f"« {raw} » n'est pas un code INSEE de commune (5 caractères, ex. 01001 ou 2A004)")
        current = self.t.current_code(code)
        if current is None:
            hint = (" ; en Corse, les codes commencent par 2A ou 2B depuis 1976 (ex. 2A004)"
                    if code.startswith("20") else "")
            return Match(None, "insee_inconnu",
                         f"le code INSEE « {code} » ne correspond à aucune commune du COG 2025{hint}")
        if current != code:
            note = f"ancien code INSEE « {code} » remplacé par celui de la commune actuelle {self.describe(current)}"
            warning = f"{warning} ; {note}" if warning else note
        return Match(current, "insee", warning=warning)

    # -- names --------------------------------------------------------------
    def by_name(self, name: object, departement: object = None, code_postal: object = None,
                suggest: bool = True) -> Match:
        """Commune from a name, narrowed by a département and/or a postal code.

        An unknown name gets « Vouliez-vous dire » suggestions (about 30 ms each)
        unless ``suggest`` is false; ``statut`` is ``inconnu`` either way."""
        key = name_key(name)
        if not key:
            return Match(None, "nom_vide", "nom de commune vide")
        dep = None
        if departement is not None and str(departement).strip():
            dep = self.departement(departement)
            if dep is None:
                return Match(None, "departement_inconnu",
                             f"département « {departement} » inconnu (code comme 01, 2A, 974 ou nom comme Ain)")
        postal = None
        if code_postal is not None and str(code_postal).strip():
            postal = _postal(code_postal)
            if postal not in self._by_postal:
                return Match(None, "code_postal_inconnu", f"code postal « {code_postal} » inconnu")

        def narrow(codes: list[str]) -> list[str]:
            if dep:
                codes = [c for c in codes if self._com.at[c, "departement_code"] == dep]
            if postal:
                allowed = set(self._by_postal[postal])
                codes = [c for c in codes if c in allowed]
            return codes

        found = narrow(self._by_name.get(key, []))
        how = "nom"
        warning = ""
        if not found:
            found = narrow(self._by_old_name.get(key, []))
            if found:
                how = "ancien_nom"
                warning = (f"« {name} » est une ancienne commune : rattachée à "
                           f"{self._describe_all(found)}") if len(found) == 1 else ""
        context = "".join([f" dans le département {dep}" if dep else "",
                           f" avec le code postal {postal}" if postal else ""])
        if len(found) == 1:
            return Match(found[0], f"{how}" + ("_departement" if dep else "") + ("_code_postal" if postal else ""),
                         warning=warning)
        if len(found) > 1:
            return Match(None, "ambigu",
                         f"« {name} » désigne plusieurs communes{context} : {self._describe_all(found)}. "
                         "Précisez le code INSEE, le code postal ou le département.",
                         candidats=found)
        suggestions = self.suggest(key, dep=dep, postal=postal) if suggest else []
        hint = f" Vouliez-vous dire : {self._describe_all(suggestions)} ?" if suggestions else ""
        return Match(None, "inconnu", f"aucune commune nommée « {name} »{context}.{hint}",
                     candidats=suggestions)

    def by_postal(self, code_postal: object) -> Match:
        """Commune from a postal code alone, when the code serves one commune."""
        postal = _postal(code_postal)
        codes = self._by_postal.get(postal, [])
        if len(codes) == 1:
            return Match(codes[0], "code_postal")
        if not codes:
            return Match(None, "code_postal_inconnu", f"code postal « {code_postal} » inconnu")
        return Match(None, "ambigu",
                     f"le code postal {postal} dessert plusieurs communes : {self._describe_all(codes)}. "
                     "Ajoutez le nom de la commune.", candidats=codes)

    def suggest(self, key: str, dep: str | None = None, postal: str | None = None, limit: int = 5) -> list[str]:
        """Communes whose name is close to ``key`` (for error messages only; the
        same misspelling is looked up once)."""
        return list(self._suggest_cached(key, dep, postal, limit))

    def _suggest(self, key: str, dep: str | None, postal: str | None, limit: int) -> tuple[str, ...]:
        if postal:
            pool = {name_key(self._com.at[c, "nom"]): [c] for c in self._by_postal.get(postal, [])}
        else:
            pool = self._by_name
        keys = self._keys if pool is self._by_name else list(pool)
        results = process.extract(key, keys, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=80)
        codes: list[str] = []
        for candidate, _score, _ in results:
            for code in pool[candidate]:
                if dep and self._com.at[code, "departement_code"] != dep:
                    continue
                if code not in codes:
                    codes.append(code)
        return tuple(codes[:limit])

    def search(self, query: str, limit: int = 10) -> list[str]:
        """Communes for a search box: postal code prefix or name (exact first)."""
        query = str(query).strip()
        if not query:
            return []
        if query.isdigit():
            codes = sorted({c for cp, cs in self._by_postal.items() if cp.startswith(query) for c in cs})
            return codes[:limit]
        key = name_key(query)
        exact = list(self._by_name.get(key, []))
        prefix = [c for k in self._keys if k.startswith(key) and k != key for c in self._by_name[k]]
        found = exact + prefix
        if len(found) < limit:
            found += [c for c in self.suggest(key, limit=limit) if c not in found]
        return found[:limit]


def search_names(names: dict[str, str], query: str, limit: int = 30) -> list[str]:
    """Codes of the territories (``names``: code -> name) matching a search box:
    a code prefix, or every word of the query inside the name, in any case and
    with or without accents (« pontchateau » finds « Pontchâteau »). Names that
    start with the query come first."""
    query = str(query).strip()
    if not query:
        return []
    if query.isdigit():
        return sorted(c for c in names if c.startswith(query))[:limit]
    words = slug(query, sep=" ").replace("-", " ").split()
    keys = {code: slug(name, sep=" ").replace("-", " ") for code, name in names.items()}
    found = [code for code, key in keys.items() if all(w in key for w in words)]
    first = " ".join(words)
    found.sort(key=lambda c: (not keys[c].startswith(first), keys[c]))
    return found[:limit]


def _group(keys, values) -> dict[str, list[str]]:
    """``{key: [distinct values in order]}`` (a plain loop: much faster than a groupby here)."""
    out: dict[str, list[str]] = {}
    for key, value in zip(keys, values):
        bucket = out.setdefault(key, [])
        if value not in bucket:
            bucket.append(value)
    return out


def _postal(value: object) -> str:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    text = text.replace(" ", "")
    if text.isdigit() and len(text) == 4:
        text = "0" + text
    return text
