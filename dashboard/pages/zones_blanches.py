"""Zones blanches: uncovered EPCI ranked by population, map, table and extract."""

import streamlit as st

from dashboard import common
from ptce_geo import coverage, formats, labels, maps

EPCI_TYPES = ("Type d'EPCI : CC communauté de communes, CA communauté d'agglomération, CU communauté urbaine, "
              "ME métropole.")

view = common.page("Zones blanches : EPCI sans pôle")
reg, basemap = view.registry, view.basemap
terr = common.territories()
gaps = coverage.rank_uncovered(view.scope.coverage("epci"))
a, b = st.columns(2)
a.metric("EPCI non couverts", formats.integer(len(gaps)))
b.metric("Habitants concernés", formats.integer(int(gaps["population"].sum())))
common.france_context(view)
view.say_scope()

# the on-screen table and the extract: the same columns, in the same order, under the same headers
extract = gaps[["rang", "nom", "type", "population", "departement_nom", "region_nom", "pole_proche_nom",
                "distance_km", "code"]].rename(columns={"nom": "epci_nom", "code": "epci_siren"})
st.subheader(formats.count(len(gaps), "EPCI non couvert", "EPCI non couverts") + (", classés par population"
                                                                                   if len(gaps) > 1 else ""))
fmt = common.file_format("zb_format")
common.download("Télécharger le tableau (CSV)", extract, common.file_name("zones_blanches_epci", view),
                fmt, "zb_download")


def draw_gaps():  # opened on the chosen territory's EPCI, else on France
    around = None if view.territory is None else view.scope.coverage("epci")["code"]
    return maps.gaps_map(terr.display["epci"], gaps, view.poles, view.all_supports, basemap=basemap,
                         boundaries=common.boundary_files(), around=around)


common.folium_map(draw_gaps, "Carte des EPCI sans pôle (zones blanches) et des pôles", "donnees-carte",
                  "carte_zb_" + "_".join(view.territory or ("france",)), 560, same_as=view.drawn_from("zones blanches", basemap))
common.map_data(labels.readable(extract), "donnees-carte", title="EPCI sans pôle, du plus peuplé au moins peuplé",
                height=400)
st.caption(EPCI_TYPES)
if reg.issues:
    st.caption("Le registre comporte des erreurs : le rapport de vérification est sur la page « Données ».")
