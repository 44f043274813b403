"""Territory portrait ("fiche territoire"): what one territory has, compared.

For a région, département, EPCI or commune and the current filters: its
population, the poles seated there and those whose perimeter reaches it, the
nearest poles outside it, its communes' coverage, the supports in its scope
(given to its poles or by its collectivités, :mod:`ptce_geo.scope`), a one-line
verdict, and comparisons with its EPCI (for a commune), its région and France.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import coverage, formats, labels, levels, scope, vocab
from .coverage import Filters
from .text import split_list
from .territories import Territories


@dataclass
class Portrait:
    niveau: str
    code: str
    nom: str
    population: int
    region_code: str
    poles_siege: pd.DataFrame
    poles_perimetre: pd.DataFrame
    poles_proches: pd.DataFrame
    communes: pd.DataFrame
    soutiens: pd.DataFrame
    comparaison: pd.DataFrame
    couverture: pd.DataFrame | None = None  # the table the verdict reads: its own row, or its EPCI

    def verdict(self, quote=str) -> str:
        """One line that answers « is it covered? », for the head of the fiche;
        ``quote`` wraps the pole's name (user text) for where it is shown."""
        return _verdict(self.niveau, self.couverture, self.code, quote)

    @property
    def title(self) -> str:
        return f"{levels.get(self.niveau).label} : {self.nom}"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The portrait's tables, named for a download."""
        return {"poles_siege": self.poles_siege, "poles_perimetre": self.poles_perimetre,
                "poles_proches": self.poles_proches, "communes": self.communes,
                "soutiens": self.soutiens, "comparaison": self.comparaison}

    def zip_bytes(self, dialect: str = "excel", header_lines: list[str] | None = None,
                  codes: bool = False, extra: dict[str, pd.DataFrame] | None = None) -> bytes:
        """Every table (and ``extra`` ones, such as the lever diagnostic) as a CSV
        in one ZIP, with the column dictionary and a text file naming the scope,
        the date and the registry."""
        return labels.zip_bytes({**self.tables(), **(extra or {})}, [self.title] + (header_lines or []),
                                dialect, codes)


def _indicators(poles: pd.DataFrame, epci_table: pd.DataFrame, communes: pd.DataFrame) -> dict:
    population = int(communes["population"].sum())
    epci_codes = set(communes["epci_siren"].dropna())
    epcis = epci_table[epci_table["code"].isin(epci_codes)]
    seated = poles[poles["commune_insee"].isin(set(communes["code"]))]
    return {
        "population": population,
        "poles_siege": len(seated),
        "poles_pour_100k_hab": round(len(seated) / population * 100_000, 2) if population else np.nan,
        "epci_couverts": int(epcis["couvert"].sum()),
        "epci": len(epcis),
        "part_epci_couverts": round(epcis["couvert"].mean(), 3) if len(epcis) else np.nan,
    }


def _verdict(niveau: str, table: pd.DataFrame, code: str, quote) -> str:
    if niveau in ("commune", "epci"):
        row = table.set_index("code").loc[code]
        who = "Votre commune" if niveau == "commune" else "Votre EPCI"
        state = "est couvert" + ("e" if niveau == "commune" else "") if row["couvert"] else \
            "n'est pas couvert" + ("e" if niveau == "commune" else "")
        near = ""
        if row["pole_proche_nom"]:
            near = f" ; pôle le plus proche : {quote(row['pole_proche_nom'])}, à {_km(row['distance_km'])} km"
        return f"{who} {state}{near}."
    uncovered = table[~table["couvert"]]
    people = int(uncovered["population"].sum())
    return (f"{formats.count(int(table['couvert'].sum()), 'EPCI couvert', 'EPCI couverts')} sur "
            f"{formats.integer(len(table))} ; {formats.count(people, 'habitant vit', 'habitants vivent')} "
            "dans un EPCI sans pôle.")


def _km(km: float) -> str:
    """6.7 -> « 6,7 »."""
    return f"{km:.1f}".replace(".", ",")


def of_view(territories: Territories, view: scope.View, n_nearest: int = 5) -> Portrait:
    """The portrait of the territory of ``view`` (a :func:`ptce_geo.scope.apply` with a territory)."""
    if view.territory is None:
        raise ValueError("une fiche demande un territoire (commune, EPCI, département ou région)")
    niveau, code = view.territory
    poles = view.france
    communes = territories.communes_in(niveau, code)
    codes = set(communes["code"])
    region_code = communes["region_code"].mode().iat[0]

    outside = poles[~poles["commune_insee"].isin(codes)]
    nearest = pd.DataFrame(columns=["id", "nom", "commune_nom", "departement_code", "distance_km"])
    if len(outside):
        # distance from each outside pole to the closest town hall of the territory
        idx, km = coverage.nearest(outside["point_lon"].to_numpy(), outside["point_lat"].to_numpy(),
                                   communes["mairie_lon"].to_numpy(), communes["mairie_lat"].to_numpy())
        nearest = outside.assign(distance_km=np.round(km, 1)).sort_values("distance_km").head(n_nearest)
        nearest = nearest[["id", "nom", "commune_nom", "departement_code", "distance_km"]]

    commune_table = view.coverage("commune")
    epci_table = view.for_france().coverage("epci")  # every EPCI of France, shared with other views
    own = epci_table if niveau != "commune" else commune_table

    def compared(level: str | None, where: str = "") -> dict:
        """The indicators of France or of a territory around this one: the same for every
        portrait with these filters, computed once (:func:`ptce_geo.scope.remember`)."""
        return scope.remember(view.for_france(), ("indicateurs", level, where), lambda: _indicators(
            poles, epci_table, territories.communes if level is None else territories.communes_in(level, where)))

    rows = [("Ce territoire", _indicators(poles, epci_table, communes))]
    if niveau == "commune":  # a commune compares with its EPCI first
        epci_code = communes["epci_siren"].iat[0]
        if isinstance(epci_code, str) and epci_code:
            rows.append((f"EPCI : {territories.names('epci')[epci_code]}", compared("epci", epci_code)))
    if niveau != "region":
        rows.append((f"Région : {territories.names('region')[region_code]}", compared("region", region_code)))
    rows.append(("France", compared(None)))
    comparison = pd.DataFrame([{"territoire": label, **values} for label, values in rows])
    within = own if niveau in ("commune", "epci") else coverage.restrict(epci_table, territories, "epci",
                                                                         view.territory)
    return Portrait(niveau=niveau, code=code, nom=view.territory_name, population=int(communes["population"].sum()),
                    region_code=region_code, poles_siege=view.seated, poles_perimetre=view.reaching,
                    poles_proches=nearest, communes=commune_table, soutiens=view.supports,
                    comparaison=comparison, couverture=within)


def build(territories: Territories, poles: pd.DataFrame, supports: pd.DataFrame, niveau: str, code: str,
          filters: Filters | None = None, n_nearest: int = 5) -> Portrait:
    """The portrait of territory (``niveau``, ``code``) for the poles and supports of
    a registry and ``filters`` (the scope of :mod:`ptce_geo.scope`)."""
    view = scope.apply(poles, supports, territories, filters or Filters(), (niveau, code))
    return of_view(territories, view, n_nearest)


def support_counts(supports: pd.DataFrame, by: str) -> pd.DataFrame:
    """Supports counted by ``levier``, ``forme`` or ``collectivite_niveau``, with labels."""
    if by == "levier":
        values = [lever for cell in supports["leviers"] for lever in split_list(cell)]
        counts = pd.Series(values, dtype=object).value_counts()
        order, labels = list(vocab.LEVIERS), vocab.levier_label
    elif by == "forme":
        counts = supports["forme"].replace("", "(non renseignée)").value_counts()
        order, labels = list(vocab.FORMES) + ["(non renseignée)"], lambda c: vocab.label("forme", c)
    else:
        counts = supports["collectivite_niveau"].value_counts()
        order, labels = list(vocab.NIVEAUX), lambda c: vocab.label("niveau", c)
    table = pd.DataFrame({"code": order})
    table["libelle"] = table["code"].map(labels)
    table["soutiens"] = table["code"].map(counts).fillna(0).astype(int)
    return table[table["soutiens"] > 0].reset_index(drop=True) if by == "forme" else table
