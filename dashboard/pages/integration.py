"""Embed view (``?vue=integration``): the map of the URL's view, its legend and a source
line, without header or sidebar, for a collectivité's site (iframe)."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import common
from ptce_geo import coverage, levels, maps, settings

common.embed_chrome_off()
reg, is_demo = common.registry()
filters, territory = common.url_view()
poles = coverage.filter_poles(reg.poles, reg.soutiens, filters)
supports = reg.soutiens[reg.soutiens["_valide"].astype(bool)]
terr = common.territories()
basemap = settings.basemap(maps.BASEMAPS)

if territory is None:
    epci_table = coverage.coverage_table(terr, poles, "epci")
    m = maps.national_map(terr.display["epci"], epci_table, poles, supports, basemap=basemap)
else:
    level, code = territory
    communes = terr.communes[terr.communes[levels.get(level).commune_column] == code]
    table = coverage.coverage_table(terr, poles, "commune", within=territory)
    outline = terr.layer(level)
    m = maps.territory_map(communes, table, outline[outline["code"] == code][["geometry"]], poles, supports,
                           basemap=basemap)
st_folium(m, height=540, use_container_width=True, returned_objects=[], key="carte_integration")
st.caption(common.source_line(reg, is_demo, filters, territory))
