"""A tiny France, drawn by hand, for the logic tests (the way geopandas draws its own).

::

    46.1 +---------+---------+---------+
         |  01001  |  01002  |  01003  |    one département (01), one région (84)
         |  Ancy   |  Bercy  |  Cercy  |    EPCI 200000001 = Ancy + Bercy
         |  pop200 | pop1000 |  pop30  |    EPCI 200000002 = Cercy
    46.0 +---------+---------+---------+
        5.0       5.1       5.2       5.3     town halls at the centres
"""

import geopandas as gpd
import pandas as pd
import shapely

from ptce_geo.territories import Territories

TINY_EPCI = ("200000001", "200000002")


def _aggregate(communes: gpd.GeoDataFrame, key: str, **columns) -> gpd.GeoDataFrame:
    out = communes.dissolve(by=key, aggfunc={"population": "sum", "code": "count"})
    out = out.rename(columns={"code": "nb_communes"}).rename_axis("code").reset_index()
    return out.assign(**{name: out["code"].map(values) if isinstance(values, dict) else values
                         for name, values in columns.items()})


def tiny_territories() -> Territories:
    """Three square communes in two EPCI, one département, one région."""
    communes = gpd.GeoDataFrame({
        "code": ["01001", "01002", "01003"], "nom": ["Ancy", "Bercy", "Cercy"],
        "nom_court": ["Ancy", "Bercy", "Cercy"], "population": [200, 1000, 30],
        "departement_code": "01", "departement_nom": "Ain", "region_code": "84",
        "region_nom": "Auvergne-Rhône-Alpes", "epci_siren": [TINY_EPCI[0], TINY_EPCI[0], TINY_EPCI[1]],
        "epci_nom": ["CC d'Ancy-Bercy", "CC d'Ancy-Bercy", "CC de Cercy"],
        "mairie_lon": [5.05, 5.15, 5.25], "mairie_lat": 46.05,
        "contour_approche": False, "mairie_point_interieur": False,
    }, geometry=[shapely.box(5.0 + i / 10, 46.0, 5.1 + i / 10, 46.1) for i in range(3)], crs=4326)
    epci = _aggregate(communes, "epci_siren", nom=dict(zip(communes["epci_siren"], communes["epci_nom"])),
                      type="CC", type_libelle="Communauté de communes", departement_code="01",
                      departements="01", region_code="84")
    departements = _aggregate(communes, "departement_code", nom="Ain", region_code="84",
                              region_nom="Auvergne-Rhône-Alpes")
    regions = _aggregate(communes, "region_code", nom="Auvergne-Rhône-Alpes")
    return Territories(communes=communes, epci=epci, departements=departements, regions=regions,
                       display={"epci": epci, "departements": departements, "regions": regions},
                       anciens_codes=pd.DataFrame(columns=["ancien_code", "ancien_nom", "type", "code"]),
                       codes_postaux=pd.DataFrame({"code_postal": ["01100"] * 3, "commune_code": communes["code"]}),
                       version="fixture")
