"""Embed view (``?vue=integration``): the map of the URL's view, its legend and a source
line, without header or sidebar, for a collectivité's site (iframe)."""

import streamlit as st

from dashboard import common
from ptce_geo import maps, scope

common.embed_chrome_off()
reg, is_demo = common.registry()
filters, territory = common.url_view()
view = scope.shared_apply(reg.poles, reg.soutiens, common.territories(), filters, territory)
supports = scope.valid_supports(reg.soutiens)
terr = common.territories()
basemap, mode = common.url_basemap(), common.url_colour_mode()



def draw():
    if territory is None:
        return maps.national_map(terr.display["epci"], view.coverage("epci"), view.poles, supports, mode=mode,
                                 basemap=basemap, boundaries=common.boundary_files())
    return common.territory_map(view, view.coverage("commune"), supports, basemap)


common.send_map(draw, "carte_integration", 540, same_as=((view, supports, common.boundary_files()), (basemap, mode)))
common.frame_title(".st-key-cadre_carte_integration iframe",
                   "Carte des pôles territoriaux de coopération économique (PTCE)")
st.caption(common.source_line(reg, is_demo, filters, territory))
