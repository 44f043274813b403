"""Map page: EPCI coloured by coverage, poles, zoom on a selected territory."""

import streamlit as st

from dashboard import common
from ptce_geo import formats, maps

view = common.page("Pôles territoriaux de coopération économique")
filters, territory, basemap = view.filters, view.territory, view.basemap
terr = common.territories()
common.key_figures(view)
view.say_scope()

if territory is None:
    epci_table = view.scope.coverage("epci")
    mode = st.radio("Couleur des EPCI", list(common.COLOUR_MODES), horizontal=True, key=common.colour_mode_key(),
                    format_func=common.COLOUR_MODES.get)
    # the base only changes with the colour mode or the basemap: a filter change
    # swaps the layers inside the mounted map, which keeps its zoom and position
    common.folium_map(lambda: maps.national_layers(terr.display["epci"], epci_table, view.poles, view.all_supports,
                                                   mode=mode, basemap=basemap, boundaries=common.boundary_files()),
                      "Carte des EPCI selon leur couverture par un pôle, et des pôles", "donnees-carte",
                      f"carte_{mode}_{basemap}", 620, same_as=view.drawn_from("national", mode, basemap))
    common.map_data(epci_table[["nom", "population", "nb_poles_siege", "nb_poles_perimetre", "couvert"]].rename(
        columns={"nom": "EPCI", "population": "Population", "nb_poles_siege": "Pôles (siège)",
                 "nb_poles_perimetre": "Pôles (périmètre)", "couvert": "Couvert"}), "donnees-carte", height=360,
        on_demand=True)
    st.markdown("**Pôles de la carte**")
    common.table(view.poles[["nom", "commune_nom", "departement_code"]].rename(
        columns={"nom": "Pôle", "commune_nom": "Commune", "departement_code": "Département"}), height=300)
else:
    level, code = territory
    table = view.scope.coverage("commune")
    st.header(common.territory_label(territory))  # h2 under the page's h1 (heading order)
    covered = int(table["couvert"].sum())
    st.caption(f"{formats.count(covered, 'commune couverte', 'communes couvertes')} sur {formats.integer(len(table))} ; "
               f"distance médiane au pôle le plus proche : {formats.km(table['distance_km'].median())}")
    common.folium_map(lambda: common.territory_map(view.scope, table, view.all_supports, basemap),
                      f"Carte des communes du territoire « {common.territory_label(territory)} » selon la "
                         "distance au pôle le plus proche", "donnees-carte", f"carte_{level}_{code}", 620,
                      same_as=view.drawn_from("territoire", basemap))
    common.map_data(table[["nom", "population", "couvert", "distance_km", "pole_proche_nom"]].rename(columns={
        "nom": "Commune", "population": "Population", "couvert": "Couverte", "distance_km": "Distance (km)",
        "pole_proche_nom": "Pôle le plus proche"}), "donnees-carte", height=360, on_demand=True)
