"""Levers analysis: how collectivities use the eight levers, following the sidebar filters."""

import streamlit as st

from dashboard import common
from ptce_geo import charts, coverage, formats, vocab

view = common.page("Analyse des leviers")
terr = common.territories()
ids = set(view.poles["id"])
supports = view.supports[view.supports["pole_id"].isin(ids)]
if view.filters.on_supports:  # keep only the support rows that match, not every support of a matching pole
    supports = coverage.matching_supports(supports, view.filters)
st.caption(f"{formats.integer(len(view.poles))} pôles et {formats.integer(len(supports))} soutiens retenus — filtres : {view.filters.describe()}")
with st.expander("Les huit leviers (étude RTES sur le rôle des collectivités dans les PTCE)"):
    st.markdown("\n".join(f"- **{code}** : {label}" for code, label in vocab.LEVIERS.items()))
fmt = common.file_format("leviers_format")

for key, (fig, data) in {
    "niveau": charts.levers_by_level(supports),
    "forme": charts.levers_by_form(supports),
    "region": charts.levers_by_region(supports, view.poles, terr.names("region")),
    "stade": charts.poles_by_stage_and_typology(view.poles),
}.items():
    st.plotly_chart(fig, key=f"chart_{key}", width="stretch")
    st.caption(charts.DESCRIPTIONS[key])
    common.download("Télécharger les données du graphique (CSV)", data, f"leviers_{key}.csv", fmt, f"dl_{key}")
