"""The scope of a view: the filters plus a chosen territory, defined once.

Every page, figure, chart and extract of the dashboard (and the command line)
takes its rows from :func:`apply`, so they all count the same things:

- **poles**: valid, located poles that pass the filters and, when a territory
  is chosen, have their seat in it or a perimeter that reaches it;
- **supports**: valid support rows that match the support filters on the same
  row (lever, level, form, years), given to a pole that passes the filters,
  and, when a territory is chosen, given to one of its poles or by one of its
  collectivités (:func:`given_by`);
- **coverage**: computed with every filtered pole of France (a pole next door
  covers through its perimeter and can be the nearest one), and reported for
  the territories inside the chosen one.

:meth:`View.describe` states the scope in words, for pages and extracts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from . import coverage, levels, vocab
from .coverage import Filters
from .memo import SharedResults
from .territories import Territories

#: The coverage level a territory's extracts and figures count by default.
SUB_LEVEL = {None: "epci", "region": "epci", "departement": "epci", "epci": "commune", "commune": "commune"}


def _communes(territories: Territories, territory: tuple[str, str]) -> pd.DataFrame:
    level, code = territory
    inside = territories.commune_attributes_in(level, code)
    if inside.empty:
        raise ValueError(f"{levels.get(level).label} inconnu(e) : « {code} »")
    return inside


def given_by(supports: pd.DataFrame, territories: Territories, territory: tuple[str, str],
             containing: bool = False) -> pd.Series:
    """Which support rows are given by a collectivité of ``territory``: the
    territory itself, a commune, EPCI or département inside it (an EPCI with a
    commune inside), or a structure (``autre``: syndicat, Pays, PNR) listed with
    the territory's code. With ``containing``, also the collectivités that
    contain it: a commune's EPCI, the département(s) and région around it."""
    level, code = territory
    communes = _communes(territories, territory)
    order = levels.CODES.index(level)
    own = {"autre": {code}}
    for other, column in (("commune", "code"), ("epci", "epci_siren"), ("departement", "departement_code"),
                          ("region", "region_code")):
        if containing or levels.CODES.index(other) <= order:
            own[other] = set(communes[column].dropna())
    keys = zip(supports["collectivite_niveau"], supports["collectivite_code"].astype(str))
    return pd.Series([c in own.get(n, ()) for n, c in keys], index=supports.index, dtype=bool)


#: The columns of the poles that a coverage table reads: two sets of poles equal on these
#: have the same coverage.
COVERAGE_COLUMNS = ("id", "nom", "commune_insee", "epci_siren", "departement_code", "region_code", "perimetre",
                    "point_lon", "point_lat")


#: coverage tables, keyed by the content of the filtered poles (:data:`COVERAGE_COLUMNS`)
SHARED = SharedResults(size=48)
#: views (:func:`shared_apply`), keyed by the registry's tables (identity), filters and
#: territory, and what pages derive from them (:func:`remember`)
VIEWS = SharedResults(size=128)
#: what is derived from a registry as a whole (:func:`valid_supports`; the range of its support years
#: and its latest update, for the page header and the sidebar)
REGISTRY_PARTS = SharedResults(size=16)


def fingerprint(poles: pd.DataFrame) -> str:
    """A digest of what the coverage of ``poles`` depends on."""
    columns = [c for c in COVERAGE_COLUMNS if c in poles]
    digest = pd.util.hash_pandas_object(poles[columns].astype(str), index=False).to_numpy().tobytes()
    return hashlib.blake2b(digest + "|".join(columns).encode(), digest_size=16).hexdigest()


@dataclass
class View:
    """The rows of one scope. ``context`` holds the filtered poles outside the
    chosen territory (drawn as context on maps, never counted)."""

    filters: Filters
    territory: tuple[str, str] | None
    territory_name: str
    poles: pd.DataFrame
    seated: pd.DataFrame
    reaching: pd.DataFrame
    context: pd.DataFrame
    france: pd.DataFrame
    supports: pd.DataFrame
    _territories: Territories = field(repr=False)
    _france_supports: pd.DataFrame | None = field(default=None, repr=False)
    _coverage: dict = field(default_factory=dict, repr=False)
    #: what depends only on :attr:`france` (:meth:`_of_france`), shared by France's view
    #: and the views cut from it
    _france_results: dict = field(default_factory=dict, repr=False)
    #: what was derived from this view once: its France view, its key figures by level
    _derived: dict = field(default_factory=dict, repr=False)

    def for_france(self) -> "View":
        """The same filters over all of France, from the rows already selected
        (no second pass over the registry)."""
        if self.territory is None:
            return self
        if "france" not in self._derived:
            empty = self.france.iloc[0:0]
            self._derived["france"] = View(self.filters, None, "", self.france, self.france, empty, empty,
                                           self.france, self._france_supports, self._territories,
                                           self._france_supports, _france_results=self._france_results)
        return self._derived["france"]

    @property
    def sub_level(self) -> str:
        """The level a coverage table of this view counts by default."""
        return SUB_LEVEL[self.territory[0] if self.territory else None]

    def coverage(self, niveau: str | None = None) -> pd.DataFrame:
        """Coverage by ``niveau`` (default :attr:`sub_level`) of the territories
        inside the chosen one, computed with every filtered pole of France."""
        return self._coverage_of(niveau or self.sub_level).copy()

    def within(self, territory: tuple[str, str]) -> "View":
        """This France view's rows in ``territory`` = (niveau, code) (see :func:`apply`)."""
        if self.territory is not None:
            return self.for_france().within(territory)
        level, code = territory
        communes = _communes(self._territories, territory)
        codes = set(communes["code"])
        france, matching = self.france, self.supports
        seated = france[france["commune_insee"].isin(codes)]
        reach = self._of_france("reach", lambda: coverage.perimeter_reach(france, self._territories))
        reaching_ids = set(reach.loc[reach["commune"].isin(codes), "pole_id"]) - set(seated["id"])
        reaching = france[france["id"].isin(reaching_ids)]
        inside = france[france["id"].isin(set(seated["id"]) | reaching_ids)]
        context = france[~france["id"].isin(set(inside["id"]))]
        scoped = matching[matching["pole_id"].isin(set(inside["id"])) | given_by(matching, self._territories,
                                                                                  territory)]
        name = self._territories.names(level)[code]
        view = View(self.filters, territory, name, inside, seated, reaching, context, france, scoped,
                    self._territories, matching, _france_results=self._france_results)
        view._derived["france"] = self
        return view

    def _of_france(self, key, compute):
        """A result that depends only on the filtered poles of France (their fingerprint,
        their perimeters' reach), computed once for France's view and those cut from it."""
        if key not in self._france_results:
            self._france_results[key] = compute()
        return self._france_results[key]

    def _coverage_of(self, niveau: str) -> pd.DataFrame:
        """:meth:`coverage`, the view's own table (not to be changed by the caller)."""
        if niveau not in self._coverage:  # a page asks for it several times (figures, map, table)
            poles, where = self._of_france("poles", lambda: fingerprint(self.france)), self._territories

            def table() -> pd.DataFrame:
                status = SHARED.get(where, (poles, "status"), lambda: coverage.commune_status(
                    where, self.france, self._of_france("reach", lambda: coverage.perimeter_reach(
                        self.france, where))))
                # a territory's EPCI, départements or régions read France's figures for them
                units = None if niveau == "commune" else SHARED.get(
                    where, (poles, "units", niveau), lambda: coverage.unit_stats(where, self.france, niveau, status))
                return coverage.coverage_table(where, self.france, niveau, within=self.territory, status=status,
                                               units=units)
            self._coverage[niveau] = SHARED.get(where, (poles, niveau, self.territory), table)
        return self._coverage[niveau]

    def where(self) -> str:
        if self.territory is None:
            return "France entière"
        return f"{levels.get(self.territory[0]).label} : {self.territory_name}"

    def describe(self) -> str:
        """The scope in words, one paragraph, for a page or the head of an extract."""
        if self.territory is None:
            poles = "Pôles de toute la France"
        else:
            level = levels.get(self.territory[0])
            poles = (f"Pôles ayant leur siège dans le territoire « {self.territory_name} » "
                     f"({level.in_text}) ou dont le périmètre l'atteint")
        criteria = describe_filters(self.filters)
        supports = ("soutiens correspondant aux filtres" if self.filters.on_supports else "tous leurs soutiens")
        if self.territory is not None:
            supports += ", donnés à ces pôles ou par une collectivité du territoire"
        return f"{poles}{' — ' + criteria if criteria else ''} ; {supports}."

    def figures(self, niveau: str | None = None) -> dict:
        """Key figures of the territory (or France), counted on :meth:`coverage`."""
        niveau = niveau or self.sub_level
        if ("figures", niveau) not in self._derived:
            self._derived[("figures", niveau)] = self._figures(niveau)
        return dict(self._derived[("figures", niveau)])

    def _figures(self, niveau: str) -> dict:
        table = self._coverage_of(niveau)
        uncovered = ~table["couvert"]
        return {"poles": len(self.poles), "poles_siege": len(self.seated), "poles_perimetre": len(self.reaching),
                "soutiens": len(self.supports), "niveau": niveau,
                "territoires": len(table), "territoires_couverts": int(table["couvert"].sum()),
                "population": int(table["population"].sum()),
                "population_non_couverte": int(table.loc[uncovered, "population"].sum())}


def describe_filters(filters: Filters) -> str:
    """The filters in French words (labels, not codes); empty when there are none."""
    parts = filters.list_phrases(lambda kind, v: vocab.levier_label(v) if kind == "levier" else vocab.label(kind, v))
    if filters.annees:
        start, end = filters.annees
        parts.append(f"soutiens de l'année {start}" if start == end else f"soutiens de {start} à {end}")
    return " ; ".join(parts)


def apply(poles: pd.DataFrame, supports: pd.DataFrame, territories: Territories, filters: Filters,
          territory: tuple[str, str] | None = None) -> View:
    """The rows of a registry (``poles``, ``supports``, as located) in the scope of
    ``filters`` and ``territory`` = (niveau, code) or None for France."""
    france = coverage.filter_poles(poles, supports, filters)
    matching = coverage.matching_supports(supports, filters)
    matching = matching[matching["pole_id"].isin(set(france["id"]))]
    empty = france.iloc[0:0]
    view = View(filters, None, "", france, france, empty, empty, france, matching, territories, matching)
    return view if territory is None else view.within(territory)


def shared_apply(poles: pd.DataFrame, supports: pd.DataFrame, territories: Territories, filters: Filters,
                 territory: tuple[str, str] | None = None) -> View:
    """:func:`apply`, shared by the sessions of a process and by the reruns of a page: the
    same registry tables (the same objects), filters and territory give the same view,
    with the coverage and figures it has already computed. Its tables are read, never
    changed (:meth:`View.coverage` gives a copy)."""
    holders = (poles, supports, territories)
    if territory is None:
        return remember(holders, ("view", filters, None), lambda: apply(poles, supports, territories, filters))
    # a territory's view is cut from France's with the same filters (shared too)
    france = shared_apply(poles, supports, territories, filters)
    return remember(holders, ("view", filters, territory), lambda: france.within(territory))


def valid_supports(supports: pd.DataFrame) -> pd.DataFrame:
    """The valid rows of a registry's supports (a pole's popup lists all of them), the same
    table for the same registry, so that what maps draw from it is worked out once (kept
    apart from the views, so that many views do not push it out)."""
    return REGISTRY_PARTS.get(supports, "valid supports", lambda: supports[supports["_valide"].astype(bool)])


def remember(holders, key, compute):
    """A result derived from a view or a registry (``holders``, compared by identity) and
    ``key``, computed once and shared by the sessions of the process: a portrait, a
    diagnostic… Kept with the views (:data:`VIEWS`); never to be changed by the caller."""
    return VIEWS.get(holders, key, compute)


def supporters(view: View, poles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who supports poles, by name: one row per collectivité giving a support in
    the view, with its level, levers, forms, years, amounts and the poles it
    supports; most supports first."""
    rows = view.supports
    names = dict(zip(view.france["id"], view.france["nom"]))
    columns = ["collectivite_nom", "collectivite_niveau", "collectivite_code", "soutiens", "leviers", "formes",
               "annees", "montant_eur", "soutiens_sans_montant", "poles"]
    if rows.empty:
        return pd.DataFrame(columns=columns)

    def joined(values, order=None):
        found = {v for cell in values for v in str(cell).split("|") if v and v != "<NA>"}
        return "|".join(sorted(found, key=(order.index if order else None)))

    out = []
    for (level, code, name), group in rows.groupby(["collectivite_niveau", "collectivite_code", "collectivite_nom"],
                                                   dropna=False, sort=False):
        years = pd.to_numeric(group["annee"], errors="coerce").dropna().astype(int)
        amounts = pd.to_numeric(group["montant_eur"], errors="coerce")
        out.append({
            "collectivite_nom": name, "collectivite_niveau": level, "collectivite_code": code,
            "soutiens": len(group),
            "leviers": joined(group["leviers"], list(vocab.LEVIERS)),
            "formes": joined(group["forme"]),
            "annees": (f"{years.min()}" if years.min() == years.max() else f"{years.min()}-{years.max()}")
            if len(years) else "",
            "montant_eur": float(amounts.sum()) if amounts.notna().any() else None,
            "soutiens_sans_montant": int(amounts.isna().sum()),
            "poles": "|".join(sorted({names.get(p, p) for p in group["pole_id"]})),
        })
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(["soutiens", "collectivite_nom"], ascending=[False, True]).reset_index(drop=True)
