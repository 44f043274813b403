"""Zones blanches: uncovered EPCI ranked by population, map, table and extract."""

import streamlit as st

from dashboard import common
from ptce_geo import coverage, export, formats, maps

view = common.page("Zones blanches : EPCI sans pôle")
reg, poles, supports = view.registry, view.poles, view.supports
filters, territory, basemap = view.filters, view.territory, view.basemap
terr = common.territories()
within = territory if territory and territory[0] != "commune" else None
gaps = coverage.zones_blanches(terr, poles, "epci", within=within)
st.caption(f"Filtres : {filters.describe()} — {common.territory_label(within)}")
pop = int(gaps["population"].sum())
a, b = st.columns(2)
a.metric("EPCI non couverts", formats.integer(len(gaps)))
b.metric("Habitants concernés", formats.integer(pop))

table = gaps[["rang", "nom", "type", "population", "departement_nom", "region_nom", "pole_proche_nom",
             "distance_km", "code"]].rename(columns={
    "rang": "Rang", "nom": "EPCI", "type": "Type", "population": "Population",
    "departement_nom": "Département", "region_nom": "Région", "pole_proche_nom": "Pôle le plus proche",
    "distance_km": "Distance (km)", "code": "SIREN"})
fmt = st.radio("Format du fichier", ["excel", "csv"], horizontal=True, key="zb_format",
               format_func={"excel": "Excel français (;)", "csv": "CSV standard (,)"}.get)
st.download_button("Télécharger le tableau (CSV)", export.to_csv_bytes(table, fmt),
                   file_name="zones_blanches_epci.csv", mime="text/csv", key="zb_download")
common.folium_map(maps.gaps_map(terr.display["epci"], gaps, poles, supports, basemap=basemap),
                  "Carte des EPCI sans pôle (zones blanches) et des pôles", "donnees-carte", "carte_zb", 560)
common.map_data(table, "donnees-carte", title="EPCI sans pôle, du plus peuplé au moins peuplé", height=400)
if reg.issues:
    st.download_button("Télécharger le rapport de validation du registre", export.to_csv_bytes(reg.report_frame(), fmt),
                       file_name="rapport_registre.csv", mime="text/csv", key="rapport_download")
