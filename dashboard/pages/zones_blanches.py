"""Zones blanches: uncovered EPCI ranked by population, map, table and extract."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import common
from ptce_geo import coverage, maps

view = common.page("Zones blanches : EPCI sans pôle")
reg, basemap = view.registry, view.basemap
terr = common.territories()
gaps = coverage.rank_uncovered(view.scope.coverage("epci"))
a, b = st.columns(2)
a.metric("EPCI non couverts", len(gaps))
b.metric("Habitants concernés", f"{int(gaps['population'].sum()):,}".replace(",", " "))
common.france_context(view)
view.say_scope()

table = gaps[["rang", "nom", "type", "population", "departement_nom", "region_nom", "pole_proche_nom",
             "distance_km", "code"]].rename(columns={
    "rang": "Rang", "nom": "EPCI", "type": "Type", "population": "Population",
    "departement_nom": "Département", "region_nom": "Région", "pole_proche_nom": "Pôle le plus proche",
    "distance_km": "Distance (km)", "code": "SIREN"})
st.subheader(f"{len(gaps)} EPCI non couvert(s), classés par population")
fmt = common.file_format("zb_format")
common.download("Télécharger le tableau (CSV)", gaps, common.file_name("zones_blanches_epci", view), fmt,
                "zb_download")
common.table(table, height=400)
gaps_map = maps.gaps_map(terr.display["epci"], gaps, view.poles, view.all_supports, basemap=basemap,
                         boundaries=common.boundary_files())
if view.territory is not None:  # open on the chosen territory, not on France
    shown = terr.display["epci"][terr.display["epci"]["code"].isin(set(view.scope.coverage("epci")["code"]))]
    west, south, east, north = shown.total_bounds
    gaps_map.fit_bounds([[south, west], [north, east]])
st_folium(gaps_map, height=560, use_container_width=True, returned_objects=[], key=f"carte_zb_{view.territory}")
if reg.issues:
    st.caption("Le registre comporte des erreurs : le rapport de vérification est sur la page « Données ».")
