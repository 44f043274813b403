"""Data page: import a registry for this session, read its report, take extracts away."""

import streamlit as st

from dashboard import common, upload
from ptce_geo import export, formats, levels, maps, paths, scope
from ptce_geo import registry as reg_mod
from ptce_geo.spatial import locate_registry

st.title("Données : importer un registre, télécharger des extraits")
st.caption("Un registre importé ici n'est visible que dans votre session de navigateur ; "
           "il n'est jamais enregistré sur le serveur ni montré aux autres utilisateurs.")

st.header("1. Importer un registre")
poles_file = st.file_uploader("Pôles (CSV, XLSX avec feuilles « poles » et « soutiens », ou GeoJSON)",
                              type=["csv", "txt", "xlsx", "geojson", "json"], key="upload_poles",
                              help="Glissez le fichier dans la zone, ou choisissez-le avec le bouton « Upload » "
                                   "(« téléverser »). Formats acceptés : CSV, TXT, XLSX, GeoJSON.")
soutiens_file = st.file_uploader("Soutiens (facultatif, CSV ou XLSX)", type=["csv", "txt", "xlsx"],
                                 key="upload_soutiens",
                                 help="Une ligne par soutien d'une collectivité à un pôle, reliée au pôle par "
                                      "« pole_id ». Inutile si votre classeur XLSX a une feuille « soutiens ».")
if poles_file is not None:
    try:
        key, raw = upload.read(poles_file, soutiens_file)  # once per content, in a child process
        renames = upload.column_mapping(raw)  # asked in words, remembered for the session
        if renames is None:
            common.sidebar("donnees")  # the filters stay drawn, and kept, while the question is open
            st.stop()
        if st.session_state.get("_import_signature") != (key, str(renames)):
            with st.spinner("Vérification et localisation des pôles…"):
                located = locate_registry(raw.validate(renames), common.territories(), common.gazetteer())
            st.session_state["registre_importe"] = located
            st.session_state["_import_signature"] = (key, str(renames))
    except reg_mod.RegistryError as exc:
        common.unreadable("Ce fichier ne peut pas être lu :", exc.issues)
        common.sidebar("donnees")
        st.stop()

reg, is_demo = common.registry()
imported = st.session_state.get("registre_importe") is not None
if imported:
    n_ok = int((reg.poles["commune_insee"] != "").sum())
    count = formats.count
    st.success(f"Registre importé « {common.md(reg.source)} » : {count(len(reg.poles), 'pôle', 'pôles')}, dont "
               f"{count(n_ok, 'localisé', 'localisés')} ; {count(len(reg.soutiens), 'soutien', 'soutiens')} ; "
               f"{count(len(reg.errors), 'erreur', 'erreurs')}, "
               f"{count(len(reg.warnings), 'avertissement', 'avertissements')}. "
               "Il est utilisé par toutes les pages pendant cette session.")
    common.shared_link_warning()
    if st.button("Revenir au registre par défaut", key="reset_import"):
        for key in ("registre_importe", "_import_signature"):
            st.session_state.pop(key, None)
        st.rerun()

fmt = common.file_format("donnees_format")
if reg.issues:
    st.subheader("Rapport de vérification")
    common.report_table(reg.report_frame(), height=320)
    st.download_button("Télécharger le rapport (CSV)", export.to_csv_bytes(common.report_headers(reg.report_frame()), fmt.dialect),
                       file_name="rapport_registre.csv", mime="text/csv", key="dl_rapport")
if imported:
    st.subheader("Aperçu des pôles localisés")
    located = scope.remember(reg.poles, "located poles",  # one table per registry: its markers drawn once
                             lambda: reg.poles[reg.poles["_valide"].astype(bool) & reg.poles["commune_insee"].ne("")])
    common.folium_map(lambda: maps.preview_map(located, reg.soutiens), "Aperçu sur une carte des pôles localisés",
                      "donnees-apercu", "carte_apercu", 380)
    common.map_data(located[["id", "nom", "commune_nom", "commune_insee"]].rename(columns={
        "id": "Identifiant", "nom": "Pôle", "commune_nom": "Commune", "commune_insee": "Code INSEE"}),
        "donnees-apercu", title="Pôles localisés", level="subheader", height=260)

st.header("2. Télécharger")
view = common.view_of(reg, "donnees")
st.caption("Extraits de ce que montrent les pages, selon les filtres et le territoire de la barre latérale.")
view.say_scope()
a, b = st.columns(2)
with a:
    common.download(f"Pôles ({formats.integer(len(view.poles))})", view.poles, common.file_name("poles", view), fmt, "dl_poles")
    common.download(f"Soutiens ({formats.integer(len(view.supports))})", view.supports, common.file_name("soutiens", view), fmt,
                    "dl_soutiens")
with b:
    niveaux = list(levels.CODES)
    niveau = st.selectbox("Couverture par", niveaux, key=f"dl_niveau_{view.scope.sub_level}",
                          index=niveaux.index(view.scope.sub_level), format_func=lambda code: levels.get(code).in_text)
    table = view.scope.coverage(niveau)
    common.download(f"Couverture par {levels.get(niveau).in_text} ({formats.integer(len(table))} lignes)", table,
                    common.file_name(f"couverture_{niveau}", view), fmt, "dl_couverture")
st.download_button("Tout en un fichier (ZIP : pôles, soutiens, couverture, dictionnaire des colonnes, lisez-moi)",
                   common.extract_zip(view, {"poles": view.poles, "soutiens": view.supports,
                                             f"couverture_{niveau}": table}, fmt),
                   file_name=common.file_name("extrait", view, "zip"), mime="application/zip", key="dl_zip")

# Exports SIG: its own block (GeoPackage / GeoJSON of the same view as the CSV extracts above)
common.gis_exports(view)

st.subheader("Modèle et schéma")
c1, c2, c3 = st.columns(3)
c1.download_button("Modèle à remplir (XLSX)", (paths.TEMPLATE_DIR / "registre_modele.xlsx").read_bytes(),
                   file_name="registre_modele.xlsx", key="dl_modele")
c2.download_button("Schéma des pôles (Table Schema)", (paths.SCHEMA_DIR / "poles.schema.json").read_bytes(),
                   file_name="poles.schema.json", mime="application/json", key="dl_schema_poles")
c3.download_button("Schéma des soutiens (Table Schema)", (paths.SCHEMA_DIR / "soutiens.schema.json").read_bytes(),
                   file_name="soutiens.schema.json", mime="application/json", key="dl_schema_soutiens")
