"""A seeded generator of the fictional demo registry (``geodata/demo``).

The poles are invented; their communes, EPCI and collectivities are real.
Denser where people live, with rural poles too, every région (overseas
included) represented, and some whole départements left without a pole.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import vocab
from .registry import POLE_COLUMNS, SOUTIEN_COLUMNS
from .territories import Territories

SEED = 2026
N_POLES = 150
N_EMPTY_DEPARTEMENTS = 22

_HEADS = ["Ruche", "Archipel", "Fabrique", "Grange", "Atelier", "Passerelle", "Boussole", "Cordée",
          "Sillon", "Maison", "Canopée", "Escale", "Trame", "Fourmilière", "Ricochet", "Comptoir"]
_TAILS = ["solidaire", "coopérative", "des communs", "partagée", "en transition", "des possibles",
          "de l'entraide", "des savoir-faire"]

#: Forms and the levers they usually serve (the study's reading of them).
_FORM_LEVERS = {
    "subvention_fonctionnement": ["L7", "L1"], "subvention_investissement": ["L6"],
    "poste_coordination": ["L7"], "locaux_foncier": ["L6"], "commande_publique": ["L3", "L2"],
    "ingenierie": ["L8"], "gouvernance": ["L4", "L3"], "contractualisation": ["L2"],
    "visibilite": ["L1"], "concertation": ["L5", "L4"],
}
_LEVEL_WEIGHTS = {"commune": 0.25, "epci": 0.35, "departement": 0.14, "region": 0.2, "autre": 0.06}
_AUTRE = ["PETR du Pays {}", "Parc naturel régional de {}", "Syndicat mixte du Pays de {}"]


def generate(territories: Territories, seed: int = SEED, n_poles: int = N_POLES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (poles, soutiens) as string tables in the registry format."""
    rng = np.random.default_rng(seed)
    com = pd.DataFrame(territories.communes.drop(columns="geometry"))
    com = com[~com["contour_approche"]]
    metro_deps = sorted(d for d in com["departement_code"].unique() if len(d) == 2 and d not in ("75", "13", "69"))
    empty = set(rng.choice(metro_deps, size=N_EMPTY_DEPARTEMENTS, replace=False))
    for _region, deps in com.groupby("region_code")["departement_code"]:
        if set(deps) <= empty:  # every région keeps at least one département with poles
            empty.discard(sorted(set(deps))[0])
    pool = com[~com["departement_code"].isin(empty)].copy()
    weights = np.power(pool["population"].clip(lower=50).to_numpy(float), 0.65)

    chosen: list[int] = []
    for _region, group in pool.groupby("region_code"):  # two poles at least in every région
        w = weights[pool.index.get_indexer(group.index)]
        chosen += list(rng.choice(group.index, size=2, replace=False, p=w / w.sum()))
    rest = pool.drop(index=chosen)
    w = weights[pool.index.get_indexer(rest.index)]
    chosen += list(rng.choice(rest.index, size=n_poles - len(chosen), replace=False, p=w / w.sum()))
    sites = com.loc[chosen].reset_index(drop=True)

    cp = territories.codes_postaux.groupby("commune_code")["code_postal"].first()
    typologies, stades, secteurs = list(vocab.TYPOLOGIES), list(vocab.STADES), list(vocab.SECTEURS)
    poles, soutiens = [], []
    for i, site in sites.iterrows():
        pid = f"DEMO-{i + 1:03d}"
        name = f"{rng.choice(_HEADS)} {rng.choice(_TAILS)} — {site['nom']} (pôle fictif)"
        how = rng.choice(["xy", "insee", "cp"], p=[0.5, 0.3, 0.2])
        perimetre = ""
        roll = rng.random()
        if roll < 0.4 and isinstance(site["epci_siren"], str):
            perimetre = site["epci_siren"]
        elif roll < 0.5:
            perimetre = site["departement_code"]
        n_sect = int(rng.integers(1, 4))
        pole = {
            "id": pid, "nom": name,
            "commune_insee": site["code"] if how in ("xy", "insee") else "",
            "commune": site["nom"], "departement": site["departement_code"],
            "code_postal": cp.get(site["code"], "") if how == "cp" else "",
            "latitude": f"{site['mairie_lat']:.5f}" if how == "xy" else "",
            "longitude": f"{site['mairie_lon']:.5f}" if how == "xy" else "",
            "typologie": rng.choice(typologies, p=[0.45, 0.35, 0.2]),
            "secteurs": "|".join(rng.choice(secteurs, size=n_sect, replace=False)),
            "stade": rng.choice(stades, p=[0.25, 0.35, 0.3, 0.1]),
            "annee_creation": str(int(rng.integers(2008, 2026))),
            "nb_membres": str(int(rng.integers(5, 40))),
            "emplois": str(int(rng.integers(8, 250))),
            "perimetre": perimetre,
            "porteur": f"Association {rng.choice(_HEADS)} (fictive)",
            "site_web": "", "date_maj": "2025-10-01", "source": "démonstration (données fictives)",
        }
        poles.append(pole)
        for _ in range(int(rng.choice([0, 1, 2, 3, 4], p=[0.08, 0.25, 0.3, 0.22, 0.15]))):
            soutiens.append(_support(rng, pid, site))
    # every lever, level and form at least once
    present = pd.DataFrame(soutiens)
    for lever in vocab.LEVIERS:
        if not present["leviers"].str.contains(lever).any():
            soutiens[int(rng.integers(len(soutiens)))]["leviers"] += f"|{lever}"
    return pd.DataFrame(poles, columns=POLE_COLUMNS), pd.DataFrame(soutiens, columns=SOUTIEN_COLUMNS)


def _support(rng, pid: str, site: pd.Series) -> dict:
    levels = list(_LEVEL_WEIGHTS)
    level = rng.choice(levels, p=list(_LEVEL_WEIGHTS.values()))
    if level == "epci" and not isinstance(site["epci_siren"], str):
        level = "commune"
    code, name = {
        "commune": (site["code"], f"Commune de {site['nom']}"),
        "epci": (site["epci_siren"], site["epci_nom"]),
        "departement": (site["departement_code"], f"Département : {site['departement_nom']}"),
        "region": (site["region_code"], f"Région {site['region_nom']}"),
        "autre": ("", str(rng.choice(_AUTRE)).format(site["departement_nom"])),
    }[level]
    forme = str(rng.choice(list(_FORM_LEVERS)))
    levers = list(_FORM_LEVERS[forme])
    if rng.random() < 0.4:
        levers.append(str(rng.choice(list(vocab.LEVIERS))))
    montant = ""
    if forme.startswith("subvention") or forme == "poste_coordination":
        montant = str(int(rng.integers(5, 120)) * 1000)
    return {"pole_id": pid, "collectivite_niveau": level, "collectivite_code": code,
            "collectivite_nom": name, "forme": forme, "leviers": "|".join(dict.fromkeys(levers)),
            "annee": str(int(rng.integers(2016, 2026))), "montant_eur": montant}


README = """# Registre de démonstration (FICTIF)

Les pôles de ce dossier sont **inventés** : leurs noms, porteurs, effectifs et
soutiens n'existent pas. Seules les communes, EPCI et collectivités citées sont
réelles (COG 2025), pour que la démonstration tombe sur de vrais territoires.

- `poles.csv` : {n_poles} pôles fictifs, dans toutes les régions (outre-mer compris),
  plus nombreux là où vivent les habitants ; {n_empty} départements n'en ont aucun.
- `soutiens.csv` : {n_soutiens} soutiens de collectivités, couvrant les huit leviers,
  les cinq niveaux de collectivité et les dix formes de soutien.

Régénérer à l'identique (graine {seed}) :

    python -m ptce_geo demo -o geodata/demo
"""


def write(directory: Path, territories: Territories, seed: int = SEED) -> tuple[Path, Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    poles, soutiens = generate(territories, seed)
    poles.to_csv(directory / "poles.csv", index=False, encoding="utf-8")
    soutiens.to_csv(directory / "soutiens.csv", index=False, encoding="utf-8")
    n_empty = len(set(territories.departements["code"]) - set(poles["departement"]))
    (directory / "README.md").write_text(README.format(
        n_poles=len(poles), n_empty=n_empty, n_soutiens=len(soutiens), seed=seed), encoding="utf-8")
    return directory / "poles.csv", directory / "soutiens.csv"
