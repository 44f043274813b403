"""Levers analysis: how collectivities use the eight levers, over the years, and who they are."""

import streamlit as st

from dashboard import common
from ptce_geo import charts, diagnostic, formats, labels, scope, vocab

view = common.page("Analyse des leviers")
terr = common.territories()
poles, supports = view.poles, view.supports
st.caption(f"{formats.integer(len(poles))} pôles et {formats.integer(len(supports))} soutiens retenus.")
view.say_scope()
with st.expander("Les huit leviers (étude RTES sur le rôle des collectivités dans les PTCE)"):
    st.markdown("\n".join(f"- **{code}** : {label}" for code, label in vocab.LEVIERS.items()))
fmt = common.file_format("leviers_format")


def chart(key: str, fig, data, note: str = "") -> None:
    st.plotly_chart(fig, key=f"chart_{key}", width="stretch")
    st.caption(charts.DESCRIPTIONS[key.split("_")[0]] + (f" {note}" if note else ""))
    common.download("Télécharger les données du graphique (CSV)", data, common.file_name(f"leviers_{key}", view),
                    fmt, f"dl_{key}")


st.header("Leviers")
for key, (fig, data) in {
    "niveau": charts.levers_by_level(supports),
    "forme": charts.levers_by_form(supports),
    "region": charts.levers_by_region(supports, poles, terr.names("region")),
}.items():
    chart(key, fig, data)

st.header("Les EPCI et les leviers, en France")
shares, by_year = diagnostic.national(terr, view.registry.poles, view.registry.soutiens, view.filters)
chart("partepci", *charts.lever_share_by_epci_type(shares))
chart("partannee", *charts.lever_share_by_year(by_year))

st.header("Dans le temps")
fig, data, undated = charts.poles_created_per_year(poles)
chart("creation", fig, data, f"{formats.count(undated, 'pôle', 'pôles')} sans année de création." if undated else "")
chart("annee", *charts.supports_per_year_and_lever(supports))

st.header("Montants")
for by in ("levier", "niveau", "annee"):
    fig, data, without = charts.amounts(supports, by)
    chart(f"montant_{by}", fig, data, f"{formats.integer(without)} sur {formats.count(len(supports), 'soutien', 'soutiens')} sans montant "
                                      "renseigné.")

st.header("Qui soutient ?")
who = scope.supporters(view.scope)
if len(who):
    st.caption(f"{formats.count(len(who), 'collectivité ou structure donne', 'collectivités ou structures donnent')} "
               "les soutiens retenus, du plus grand nombre de soutiens au plus petit.")
else:
    st.caption("Aucune collectivité ni structure ne donne de soutien retenu par ces filtres.")
common.table(labels.readable(who), height=360)
common.download(f"Télécharger la liste des soutiens par collectivité ({len(who)})", who,
                common.file_name("collectivites_soutiens", view), fmt, "dl_qui")

st.header("Pôles")
chart("stade", *charts.poles_by_stage_and_typology(poles))
