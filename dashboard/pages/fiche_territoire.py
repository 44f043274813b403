"""Territory portrait: figures, poles, communes' coverage, supports, comparisons; printable."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import common
from ptce_geo import formats, maps, portrait

view = common.page("Fiche territoire")
terr = common.territories()
if view.territory is None:
    st.info("Choisissez un territoire dans la barre latérale (région, département, EPCI ou commune) : "
            "la fiche s'affiche ici.")
    st.stop()

level, code = view.territory
fiche = portrait.build(terr, view.poles, view.supports, level, code)
st.header(fiche.title)
header_lines = [f"Filtres actifs : {view.filters.describe()}", f"Extraction du {date.today():%d/%m/%Y}",
                f"Registre : {view.registry.source}"]  # plain text, as in the ZIP's lisez-moi
st.caption(" — ".join(header_lines[:2] + [f"Registre : {common.md(view.registry.source)}"]))
common.print_button()

comp = fiche.comparaison.set_index("territoire")
here = comp.iloc[0]
a, b, c, d = st.columns(4)
a.metric("Population", formats.integer(fiche.population))
b.metric("Pôles ayant leur siège ici", formats.integer(len(fiche.poles_siege)))
c.metric("Pôles dont le périmètre l'atteint", formats.integer(len(fiche.poles_perimetre)))
d.metric("Communes couvertes", f"{formats.integer(fiche.communes['couvert'].sum())} / "
                               f"{formats.integer(len(fiche.communes))}")

st.subheader("Comparaison")
table = fiche.comparaison.rename(columns={
    "territoire": "Territoire", "population": "Population", "poles_siege": "Pôles (siège)",
    "poles_pour_100k_hab": "Pôles pour 100 000 hab.", "epci_couverts": "EPCI couverts", "epci": "EPCI",
    "part_epci_couverts": "Part des EPCI couverts"})
common.table(table, percent=("Part des EPCI couverts",))

st.subheader("Couverture des communes")
communes = terr.communes[terr.communes["code"].isin(fiche.communes["code"])]
outline = terr.layer(level)
outline = outline[outline["code"] == code][["geometry"]]
common.folium_map(maps.territory_map(communes, fiche.communes, outline, view.poles, view.supports,
                                     basemap=view.basemap),
                  f"Carte des communes de {fiche.title} selon la distance au pôle le plus proche", "donnees-carte",
                  "carte_fiche", 480)
common.map_data(fiche.communes[["nom", "population", "couvert", "nb_poles_siege", "nb_poles_perimetre",
                             "distance_km", "pole_proche_nom"]].rename(columns={
    "nom": "Commune", "population": "Population", "couvert": "Couverte", "nb_poles_siege": "Pôles (siège)",
    "nb_poles_perimetre": "Pôles (périmètre)", "distance_km": "Distance (km)", "pole_proche_nom": "Pôle le plus proche"}),
    "donnees-carte", title="Communes du territoire", level="subheader", height=300)

left, right = st.columns(2)
with left:
    st.subheader("Pôles du territoire")
    shown = pd.concat([fiche.poles_siege.assign(lien="siège"), fiche.poles_perimetre.assign(lien="périmètre")])
    common.table(shown[["nom", "commune_nom", "lien"]].rename(
        columns={"nom": "Pôle", "commune_nom": "Commune du siège", "lien": "Rattachement"}))
with right:
    st.subheader("Pôles les plus proches, hors du territoire")
    common.table(fiche.poles_proches[["nom", "commune_nom", "distance_km"]].rename(
        columns={"nom": "Pôle", "commune_nom": "Commune", "distance_km": "Distance (km)"}))

st.subheader("Soutiens des collectivités du territoire")
if fiche.soutiens.empty:
    st.write("Aucun soutien d'une collectivité de ce territoire dans le registre (avec ces filtres).")
else:
    cols = st.columns(3)
    for col, (by, title) in zip(cols, (("levier", "Par levier"), ("forme", "Par forme"),
                                       ("niveau", "Par niveau"))):
        col.markdown(f"**{title}**")
        with col:
            common.table(portrait.support_counts(fiche.soutiens, by)[["libelle", "soutiens"]].rename(
                columns={"libelle": title.removeprefix("Par ").capitalize(), "soutiens": "Soutiens"}))

fmt = common.file_format("fiche_format")
st.download_button("Télécharger les tableaux de la fiche (ZIP de CSV)", fiche.zip_bytes(fmt, header_lines),
                   file_name=f"fiche_{level}_{code}.zip", mime="application/zip", key="fiche_zip")
