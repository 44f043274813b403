"""Territory portrait ("fiche territoire"): what one territory has, compared.

For a région, département, EPCI or commune and the current filters: its
population, the poles seated there and those whose perimeter reaches it, the
nearest poles outside it, its communes' coverage, the supports given by its
collectivities, and comparisons with its région and with France.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import coverage, export, levels, vocab
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

    @property
    def title(self) -> str:
        return f"{levels.get(self.niveau).label} : {self.nom}"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The portrait's tables, named for a download."""
        return {"poles_siege": self.poles_siege, "poles_perimetre": self.poles_perimetre,
                "poles_proches": self.poles_proches, "communes": self.communes,
                "soutiens": self.soutiens, "comparaison": self.comparaison}

    def zip_bytes(self, dialect: str = "excel", header_lines: list[str] | None = None) -> bytes:
        """Every table as a CSV in one ZIP, with a text file naming filters and date."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, table in self.tables().items():
                archive.writestr(f"{name}.csv", export.to_csv_bytes(export.public_columns(table), dialect))
            archive.writestr("lisez-moi.txt", "\n".join([self.title] + (header_lines or [])) + "\n")
        return buffer.getvalue()


def communes_inside(territories: Territories, niveau: str, code: str) -> pd.DataFrame:
    com = territories.communes
    return com[com[levels.get(niveau).commune_column] == code]


def _indicators(territories: Territories, poles: pd.DataFrame, epci_table: pd.DataFrame,
                communes: pd.DataFrame) -> dict:
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


def supports_inside(supports: pd.DataFrame, territories: Territories, communes: pd.DataFrame,
                    niveau: str, code: str) -> pd.DataFrame:
    """Supports given by the territory's own collectivity or collectivities inside it."""
    inside = {
        "commune": set(communes["code"]),
        "epci": set(communes["epci_siren"].dropna()) if niveau in ("epci", "departement", "region") else set(),
        "departement": set(communes["departement_code"]) if niveau in ("departement", "region") else set(),
        "region": set(communes["region_code"]) if niveau == "region" else set(),
    }
    if niveau == "commune":
        inside["epci"] = set()
    keep = [code_ in inside.get(level, set())
            for level, code_ in zip(supports["collectivite_niveau"], supports["collectivite_code"])]
    return supports[keep]


def build(territories: Territories, poles: pd.DataFrame, supports: pd.DataFrame,
          niveau: str, code: str, n_nearest: int = 5) -> Portrait:
    """The portrait of territory (``niveau``, ``code``) for the filtered ``poles``."""
    levels.get(niveau)
    names = territories.names(niveau)
    if code not in names:
        raise ValueError(f"code inconnu pour le niveau {niveau} : {code}")
    communes = communes_inside(territories, niveau, code)
    codes = set(communes["code"])
    region_code = communes["region_code"].mode().iat[0]

    seated = poles[poles["commune_insee"].isin(codes)]
    reach = coverage.perimeter_reach(poles, territories)
    reaching_ids = set(reach.loc[reach["commune"].isin(codes), "pole_id"]) - set(seated["id"])
    reaching = poles[poles["id"].isin(reaching_ids)]

    outside = poles[~poles["commune_insee"].isin(codes)]
    nearest = pd.DataFrame(columns=["id", "nom", "commune_nom", "departement_code", "distance_km"])
    if len(outside):
        # distance from each outside pole to the closest town hall of the territory
        idx, km = coverage.nearest(outside["point_lon"].to_numpy(), outside["point_lat"].to_numpy(),
                                   communes["mairie_lon"].to_numpy(), communes["mairie_lat"].to_numpy())
        nearest = outside.assign(distance_km=np.round(km, 1)).sort_values("distance_km").head(n_nearest)
        nearest = nearest[["id", "nom", "commune_nom", "departement_code", "distance_km"]]

    commune_table = coverage.coverage_table(territories, poles, "commune", within=(niveau, code))
    given = supports_inside(supports, territories, communes, niveau, code)

    epci_table = coverage.coverage_table(territories, poles, "epci")
    com = territories.communes
    rows = [("Ce territoire", _indicators(territories, poles, epci_table, communes))]
    if niveau != "region":
        rows.append((f"Région : {territories.names('region')[region_code]}",
                     _indicators(territories, poles, epci_table, com[com["region_code"] == region_code])))
    rows.append(("France", _indicators(territories, poles, epci_table, com)))
    comparison = pd.DataFrame([{"territoire": label, **values} for label, values in rows])

    return Portrait(niveau=niveau, code=code, nom=names[code], population=int(communes["population"].sum()),
                    region_code=region_code, poles_siege=seated, poles_perimetre=reaching,
                    poles_proches=nearest, communes=commune_table, soutiens=given, comparaison=comparison)


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
