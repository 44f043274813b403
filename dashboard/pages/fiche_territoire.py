"""Territory portrait: figures, poles, communes' coverage, supports, comparisons; printable."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import common
from ptce_geo import charts, coverage, diagnostic, formats, labels, portrait, scope, vocab

view = common.page("Fiche territoire")
terr = common.territories()
if view.territory is None:
    st.info("Choisissez un territoire dans la barre latérale (région, département, EPCI ou commune) : "
            "la fiche s'affiche ici.")
    st.stop()

level, code = view.territory
fiche = scope.remember(view.scope, "portrait", lambda: portrait.of_view(terr, view.scope))
st.header(fiche.title)
st.markdown(f"**{fiche.verdict(common.md)}**")  # the pole's name is user text
header_lines = [f"Périmètre : {view.scope.describe()}", f"Extraction du {date.today():%d/%m/%Y}",
                f"Registre : {view.registry.source}"]  # plain text, as in the ZIP's lisez-moi
st.caption(" — ".join(header_lines[:2] + [f"Registre : {common.source(view.registry)}"]))
common.print_button()

comp = fiche.comparaison.set_index("territoire")
here = comp.iloc[0]
a, b, c, d = st.columns(4)
a.metric("Population", formats.integer(fiche.population))
b.metric("Pôles ayant leur siège ici", formats.integer(len(fiche.poles_siege)))
c.metric(value=formats.integer(len(fiche.poles_perimetre)), **common.REACHING)
d.metric("Communes couvertes", f"{formats.integer(fiche.communes['couvert'].sum())} / "
                               f"{formats.integer(len(fiche.communes))}")
st.caption(coverage.COVERED)

st.subheader("Comparaison")
common.table(labels.readable(fiche.comparaison), printed=True)  # the same headers and numbers as in the ZIP

st.subheader("Couverture des communes")
common.folium_map(lambda: common.territory_map(view.scope, fiche.communes, view.all_supports, view.basemap),
                  f"Carte des communes du territoire « {fiche.title} » selon la distance au pôle le plus proche", "donnees-carte",
                  "carte_fiche", 480, same_as=view.drawn_from("fiche", view.basemap))
common.map_data(fiche.communes[["nom", "population", "couvert", "nb_poles_siege", "nb_poles_perimetre",
                             "distance_km", "pole_proche_nom"]].rename(columns={
    "nom": "Commune", "population": "Population", "couvert": "Couverte", "nb_poles_siege": "Pôles (siège)",
    "nb_poles_perimetre": "Pôles (périmètre)", "distance_km": "Distance (km)", "pole_proche_nom": "Pôle le plus proche"}),
    "donnees-carte", title="Communes du territoire", level="subheader", height=300, printed=True)

# one table under the other: side by side, their columns did not fit
st.subheader("Pôles du territoire")
shown = pd.concat([fiche.poles_siege.assign(lien="siège"), fiche.poles_perimetre.assign(lien="périmètre")])
common.table(shown[["nom", "commune_nom", "lien"]].rename(
    columns={"nom": "Pôle", "commune_nom": "Commune du siège", "lien": "Rattachement"}), printed=True)
st.subheader("Pôles les plus proches, hors du territoire")
common.table(fiche.poles_proches[["nom", "commune_nom", "distance_km"]].rename(
    columns={"nom": "Pôle", "commune_nom": "Commune", "distance_km": "Distance (km)"}), printed=True)

st.subheader("Soutiens : à ses pôles ou par ses collectivités")
if fiche.soutiens.empty:
    st.write("Aucun soutien retenu pour ce territoire dans le registre (avec ces filtres) : ni donné à ses "
             "pôles, ni par ses collectivités.")
else:
    # two columns, not three: a lever's or a form's name and its count fit side by side
    first, second = st.columns(2)
    for col, (by, title) in zip((first, second, first), (("levier", "Par levier"), ("forme", "Par forme"),
                                                         ("niveau", "Par niveau"))):
        col.markdown(f"**{title}**")
        common.table(portrait.support_counts(fiche.soutiens, by)[["libelle", "soutiens"]].rename(
            columns={"libelle": title.removeprefix("Par ").capitalize(), "soutiens": "Soutiens"}), container=col,
            printed=True)
    fig, by_year = charts.supports_per_year_and_lever(fiche.soutiens)
    st.plotly_chart(fig, key="fiche_annees", width="stretch")
    st.caption("Un soutien qui mobilise plusieurs leviers compte une fois pour chacun d'eux.")
    euros, without, _ = charts.amount_totals(fiche.soutiens, "levier")
    total = euros["montant_eur"].sum()
    st.markdown(f"**Montants reçus ou donnés** : {formats.euros(total)} renseignés ; {formats.integer(without)} "
                f"sur {formats.count(len(fiche.soutiens), 'soutien', 'soutiens')} sans montant.")
    if total > 0:
        common.table(euros[euros["montant_eur"] > 0].rename(columns={"libelle": "Levier",
                                                                     "montant_eur": "Montant (euros)"})[
            ["Levier", "Montant (euros)"]], printed=True)

st.subheader("Diagnostic des leviers")
extra = {}
if level == "commune":
    epci = terr.parents("commune", code).get("epci", "")
    st.write("Le diagnostic des leviers porte sur un EPCI, un département ou une région"
             + (f" : pour celui de l'EPCI « {terr.names('epci')[epci]} », videz le champ « Commune » de la barre "
                "latérale (l'EPCI reste choisi)." if epci else "."))
else:
    modes = [m for m in diagnostic.MODES if not (level == "region" and m == "region")]
    mode = st.radio("Comparer avec", modes, horizontal=True, key="diag_mode",
                    format_func=lambda m: diagnostic.MODES[m].capitalize())
    diag = scope.remember((terr, view.registry.poles, view.registry.soutiens),
                          ("diagnostic", level, code, view.filters, mode),
                          lambda: diagnostic.diagnose(terr, view.registry.poles, view.registry.soutiens, level, code,
                                                      view.filters, mode))
    st.caption(diag.summary() + " " + diagnostic.used(level))
    shown = diag.table[["levier", "libelle", "utilise", "soutiens", "poles", "annees", "montant_eur",
                        "part_pairs"]]
    common.table(labels.readable(shown), printed=True)
    missing = diag.missing()
    if len(missing):
        st.markdown("**Leviers que les collectivités du territoire n'utilisent pas**, les plus courants chez les "
                    "territoires comparables d'abord :")
    for row in missing.itertuples():
        share = "" if row.part_pairs != row.part_pairs else \
            f" — utilisé par {formats.percent(row.part_pairs, 0)} des territoires comparables"
        # drawn when opened (a rerun): most stay closed, and their tables cost a fiche's run
        with st.expander(f"{vocab.levier_label(row.levier)}{share}", key=f"diag_ouvert_{row.levier}",
                         on_change="rerun") as box:
            if not box.open:
                continue
            st.write(row.en_pratique)
            examples = diag.examples[diag.examples["levier"] == row.levier]
            if examples.empty:
                st.caption("Aucun territoire comparable ne l'utilise dans le registre.")
            else:
                st.caption("Exemples chez des territoires comparables :")
                common.table(labels.readable(examples[["pole", "commune_du_pole", "territoire", "forme",
                                                       "collectivite", "fiche"]]), printed=True,
                             column_config={"Fiche du territoire": st.column_config.LinkColumn(
                                 display_text="Ouvrir la fiche")})
    extra = {"diagnostic_leviers": diag.table, "diagnostic_exemples": diag.examples}

fmt = common.file_format("fiche_format")
st.download_button("Télécharger les tableaux de la fiche (ZIP de CSV)",
                   scope.remember((view.scope, *extra.values()), ("fiche_zip", fmt, tuple(header_lines), tuple(extra)),
                                  lambda: fiche.zip_bytes(fmt.dialect, header_lines, fmt.codes, extra)),
                   file_name=f"fiche_{level}_{code}.zip", mime="application/zip", key="fiche_zip")
