"""Lever diagnostic: which of the eight levers a territory's collectivités use,
against comparable territories.

A support counts for a territory when it is given by a collectivité of that
territory: a commune or EPCI inside it, the EPCI, département or région
containing it (a collectivité and a territory count together when they share a
commune), or a structure (``autre``: syndicat, Pays, PNR) listed with the
territory's code. Supports are those of the view's filters
(:func:`ptce_geo.scope.apply`, France).

Comparable territories ("pairs"): for an EPCI, the EPCI of the same type (CC,
CA, CU, ME) in the same population band; for a département, the départements
of the same population band; for a région, the other régions. The user may
compare with the whole région or with France instead. With fewer than
:data:`MIN_PEERS` comparable territories holding any support, no share is
given: the registry is too thin for a comparison to mean anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import formats, levels, scope, vocab
from .coverage import Filters
from .text import split_list
from .territories import Territories

MIN_PEERS = 5
LEVELS = ("epci", "departement", "region")
MODES = vocab.COMPARISONS
#: Population bands (inhabitants), lower bounds; the last band is open.
BANDS = {"epci": (0, 15_000, 30_000, 50_000, 100_000, 250_000),
         "departement": (0, 250_000, 500_000, 1_000_000)}


#: Who gives the supports that count for a territory of each level (see :func:`used`).
_GIVERS = {"epci": "l'EPCI, une de ses communes, ou le département ou la région qui le contient",
           "departement": "le département, une de ses communes ou de ses EPCI, ou sa région",
           "region": "la région, ou une de ses communes, de ses EPCI ou de ses départements"}


def used(niveau: str) -> str:
    """What « utilisé ici » counts for a territory of ``niveau``, in the fiche's words."""
    return (f"«\u00a0Utilisé ici\u00a0» : au moins un soutien retenu mobilise ce levier, donné par {_GIVERS[niveau]}, "
            "quel que soit le pôle soutenu. La section «\u00a0Soutiens\u00a0» ne compte que les soutiens aux pôles du "
            "territoire et ceux donnés par ses propres collectivités.")


def band(niveau: str, population: int) -> tuple[int, float]:
    """The population band (low, high) of a territory of ``niveau``."""
    bounds = BANDS[niveau]
    i = int(np.searchsorted(bounds, population, side="right")) - 1
    return bounds[i], (bounds[i + 1] if i + 1 < len(bounds) else float("inf"))


def band_text(low: int, high: float) -> str:
    def n(x):
        return f"{int(x):,}".replace(",", "\u202f")
    if low == 0:
        return f"moins de {n(high)} habitants"
    return f"plus de {n(low)} habitants" if high == float("inf") else f"de {n(low)} à {n(high)} habitants"


def _relations(territories: Territories, niveau: str) -> dict[str, pd.Series]:
    """For each collectivité level, code -> territories of ``niveau`` sharing a commune with it."""
    def build():
        com = territories.communes
        target = levels.get(niveau).commune_column
        out = {}
        for other in levels.CODES:
            column = levels.get(other).commune_column
            if column == target:  # the territory itself
                own = com[column].dropna().unique()
                out[other] = pd.Series([[c] for c in own], index=own)
                continue
            pairs = com[[column, target]].dropna().drop_duplicates()
            out[other] = pairs.groupby(column)[target].agg(list)
        return out
    return territories.cached(("diagnostic_relations", niveau), build)


def counted(supports: pd.DataFrame, territories: Territories, niveau: str) -> pd.DataFrame:
    """One row per (support, territory of ``niveau`` it counts for, lever), with
    the support's pole, form, year and its amount shared equally between its levers."""
    relations = _relations(territories, niveau)
    codes = set(territories.layer(niveau)["code"])
    rows = []
    for idx, level, code in zip(supports.index, supports["collectivite_niveau"], supports["collectivite_code"]):
        code = str(code)
        if level in relations and code in relations[level].index:
            rows += [(idx, t) for t in relations[level][code]]
        elif level == "autre" and code in codes:
            rows.append((idx, code))
    pairs = pd.DataFrame(rows, columns=["_support", "code"])
    cols = ["pole_id", "forme", "leviers", "annee", "montant_eur", "collectivite_nom", "collectivite_niveau"]
    out = pairs.join(supports[cols], on="_support")
    out["levier"] = out["leviers"].map(split_list)
    out["_n"] = out["levier"].map(lambda v: max(len(v), 1))
    out = out.explode("levier")
    out = out[out["levier"].notna() & out["levier"].ne("")]
    out["montant"] = pd.to_numeric(out["montant_eur"], errors="coerce").astype(float) / out["_n"]
    out["annee"] = pd.to_numeric(out["annee"], errors="coerce")
    return out.drop(columns=["leviers", "_n"]).reset_index(drop=True)


def peers(territories: Territories, niveau: str, code: str, mode: str = "pairs") -> tuple[list[str], str]:
    """The comparable territories of (``niveau``, ``code``) and their description in words."""
    if niveau not in LEVELS:
        raise ValueError(f"le diagnostic porte sur un EPCI, un département ou une région, pas sur « {niveau} »")
    if mode not in MODES:
        raise ValueError(f"comparaison inconnue : « {mode} » (attendu : {', '.join(MODES)})")
    layer = territories.attributes(niveau)
    if code not in territories.names(niveau):
        raise ValueError(f"{levels.get(niveau).label} inconnu(e) : « {code} »")
    me = layer.set_index("code").loc[code]
    others = layer[layer["code"] != code]
    what = {"epci": "EPCI", "departement": "départements", "region": "régions"}[niveau]
    if mode == "region" and niveau != "region":
        region = me["region_code"]
        return (others.loc[others["region_code"] == region, "code"].tolist(),
                f"les autres {what} de la région {territories.names('region')[region]}")
    if mode == "france" or niveau == "region":
        return others["code"].tolist(), f"les autres {what} de France"
    low, high = band(niveau, int(me["population"]))
    same = others[(others["population"] >= low) & (others["population"] < high)]
    if niveau == "epci":
        same = same[same["type"] == me["type"]]
        kind = {"CC": "communautés de communes", "CA": "communautés d'agglomération", "CU": "communautés urbaines",
                "ME": "métropoles"}.get(me["type"], f"EPCI de type {me['type']}")
        return same["code"].tolist(), f"les {kind} ayant {band_text(low, high)}"
    return same["code"].tolist(), f"les départements ayant {band_text(low, high)}"


@dataclass
class Diagnostic:
    niveau: str
    code: str
    nom: str
    comparison: str        # the comparable territories, in words
    n_peers: int
    n_peers_with_data: int
    table: pd.DataFrame    # one row per lever
    examples: pd.DataFrame
    min_peers: int = MIN_PEERS

    @property
    def enough(self) -> bool:
        return self.n_peers_with_data >= self.min_peers

    def summary(self) -> str:
        """What the comparison rests on, or why there is none."""
        peers = formats.count(self.n_peers, "territoire", "territoires")
        head = (f"Comparaison avec {self.comparison} : {peers}, dont "
                f"{formats.integer(self.n_peers_with_data)} avec au moins un soutien dans le registre.")
        if not self.enough:
            head += (f" C'est trop peu pour comparer (il en faut au moins {self.min_peers}) : aucune part n'est "
                     "donnée. Élargissez la comparaison (toute la région, France) ou retirez des filtres.")
        return head

    def missing(self) -> pd.DataFrame:
        """Levers not used here, most common among the comparable territories first."""
        rows = self.table[~self.table["utilise"]]
        return rows.sort_values(["part_pairs", "levier"], ascending=[False, True], na_position="last")


def _usage(rows: pd.DataFrame) -> pd.DataFrame:
    """Per lever: supports, poles reached, years, amounts."""
    out = pd.DataFrame({"levier": list(vocab.LEVIERS)})
    grouped = rows.groupby("levier")
    out["soutiens"] = out["levier"].map(grouped["_support"].nunique()).fillna(0).astype(int)
    out["poles"] = out["levier"].map(grouped["pole_id"].nunique()).fillna(0).astype(int)

    first, last = grouped["annee"].min(), grouped["annee"].max()  # years left blank are skipped
    spans = {lever: "" if pd.isna(a) else (f"{int(a)}" if a == b else f"{int(a)}-{int(b)}")
             for lever, a, b in zip(first.index, first, last)}
    out["annees"] = out["levier"].map(spans).fillna("")
    amounts = grouped["montant"].sum(min_count=1)
    out["montant_eur"] = out["levier"].map(amounts).astype(float).round(2)
    return out


def diagnose(territories: Territories, poles: pd.DataFrame, supports: pd.DataFrame, niveau: str, code: str,
             filters: Filters | None = None, mode: str = "pairs", n_examples: int = 5,
             min_peers: int = MIN_PEERS) -> Diagnostic:
    """The lever diagnostic of (``niveau``, ``code``) for a registry's poles and
    supports under ``filters``, compared with ``mode`` (:data:`MODES`)."""
    comparable, said = peers(territories, niveau, code, mode)
    # France's view and its counted rows are the same for every territory: shared
    view = scope.shared_apply(poles, supports, territories, filters or Filters())
    rows = scope.remember((view.supports, territories), ("counted", niveau),
                          lambda: counted(view.supports, territories, niveau))
    here = rows[rows["code"] == code]
    table = _usage(here)
    table.insert(1, "libelle", table["levier"].map(vocab.LEVIERS))
    table.insert(2, "utilise", table["soutiens"] > 0)
    theirs = rows[rows["code"].isin(set(comparable))]
    with_data = theirs["code"].nunique()
    using = theirs.groupby("levier")["code"].nunique()
    table["pairs_utilisant"] = table["levier"].map(using).fillna(0).astype(int)
    table["pairs_avec_donnees"] = with_data
    table["part_pairs"] = (table["pairs_utilisant"] / with_data).round(3) if with_data >= min_peers else np.nan
    table["en_pratique"] = table["levier"].map(vocab.LEVIER_PRATIQUE)

    # for each lever not used here, its first poles among the comparable territories (rows in order)
    peer_names = territories.names(niveau)
    unused = list(table.loc[~table["utilise"], "levier"])
    found = theirs[theirs["levier"].isin(set(unused))].drop_duplicates(["levier", "pole_id"])
    found = found.groupby("levier", sort=False).head(n_examples)
    found = found.iloc[np.argsort(found["levier"].map({lever: i for i, lever in enumerate(unused)}).to_numpy(),
                                  kind="stable")]
    names = dict(zip(view.france["id"], view.france["nom"]))
    seats = dict(zip(view.france["id"], view.france["commune_nom"]))
    ids, codes = found["pole_id"].tolist(), found["code"].tolist()
    examples = pd.DataFrame({
        "levier": found["levier"].tolist(), "pole_id": ids, "pole": [names.get(i, i) for i in ids],
        "commune_du_pole": [seats.get(i, "") for i in ids], "territoire": [peer_names.get(c, c) for c in codes],
        "territoire_code": codes, "forme": [vocab.label("forme", f) if f else "" for f in found["forme"].tolist()],
        "collectivite": found["collectivite_nom"].tolist(),
        "fiche": [f"fiche_territoire?{niveau}={c}" for c in codes]}, dtype=object)
    return Diagnostic(niveau, code, peer_names[code], said, len(comparable), int(with_data), table, examples,
                      min_peers)


def national(territories: Territories, poles: pd.DataFrame, supports: pd.DataFrame,
             filters: Filters | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For each lever, the share of EPCI (by type) whose collectivités use it;
    and by year, the share of all EPCI whose collectivités gave a support on it
    that year."""
    view = scope.apply(poles, supports, territories, filters or Filters())
    rows = counted(view.supports, territories, "epci")
    epci = pd.DataFrame(territories.epci.drop(columns="geometry"))[["code", "type"]]
    rows = rows.merge(epci, on="code", how="left")
    sizes = epci["type"].value_counts()
    used = rows.drop_duplicates(["code", "levier"]).groupby(["levier", "type"]).size().unstack(fill_value=0)
    share = used.reindex(index=list(vocab.LEVIERS), columns=sorted(sizes.index), fill_value=0) / sizes
    share["ensemble"] = rows.drop_duplicates(["code", "levier"]).groupby("levier").size().reindex(
        list(vocab.LEVIERS), fill_value=0) / len(epci)
    share = share.round(3).rename_axis("levier").reset_index()
    dated = rows.dropna(subset=["annee"]).assign(annee=lambda f: f["annee"].astype(int))
    by_year = (dated.drop_duplicates(["code", "levier", "annee"]).groupby(["annee", "levier"]).size()
               .unstack(fill_value=0).reindex(columns=list(vocab.LEVIERS), fill_value=0) / len(epci)).round(4)
    return share, by_year.rename_axis("annee").reset_index()
