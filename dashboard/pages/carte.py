"""Map page: EPCI coloured by coverage, poles, zoom on a selected territory."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import common
from ptce_geo import levels, maps

view = common.page("Pôles territoriaux de coopération économique")
filters, territory, basemap = view.filters, view.territory, view.basemap
terr = common.territories()
common.key_figures(view)
view.say_scope()

if territory is None:
    epci_table = view.scope.coverage("epci")
    mode = st.radio("Couleur des EPCI", ["couverture", "nombre"], horizontal=True, key="mode_couleur",
                    format_func={"couverture": "Couvert / non couvert", "nombre": "Nombre de pôles"}.get)
    base, layers = maps.national_layers(terr.display["epci"], epci_table, view.poles, view.all_supports,
                                        mode=mode, basemap=basemap, boundaries=common.boundary_files())
    # the base only changes with the colour mode or the basemap: a filter change
    # swaps the layers inside the mounted map, which keeps its zoom and position
    st_folium(base, feature_group_to_add=layers, height=620, use_container_width=True, returned_objects=[],
              key=f"carte_{mode}_{basemap}")
else:
    level, code = territory
    communes = terr.communes[terr.communes[levels.get(level).commune_column] == code]
    table = view.scope.coverage("commune")
    st.subheader(common.territory_label(territory))
    m = maps.territory_map(communes, table, None, view.poles, view.all_supports, basemap=basemap,
                           context_poles=view.scope.context, boundaries=common.boundary_files())
    covered = int(table["couvert"].sum())
    st.caption(f"{covered} commune(s) couverte(s) sur {len(table)} ; distance médiane au pôle le plus proche : "
               f"{table['distance_km'].median():.1f} km".replace(".", ","))
    st_folium(m, height=620, use_container_width=True, returned_objects=[], key=f"carte_{level}_{code}")
