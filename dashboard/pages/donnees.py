"""Data page: import a registry for this session, read its report, take extracts away."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import common, upload
from ptce_geo import coverage, levels, maps, paths, registry as reg_mod
from ptce_geo.spatial import locate_registry

st.title("Données : importer un registre, télécharger des extraits")
st.caption("Un registre importé ici n'est visible que dans votre session de navigateur ; "
           "il n'est jamais enregistré sur le serveur ni montré aux autres utilisateurs.")

st.header("1. Importer un registre")
poles_file = st.file_uploader("Pôles (CSV, XLSX avec feuilles « poles » et « soutiens », ou GeoJSON)",
                              type=["csv", "txt", "xlsx", "geojson", "json"], key="upload_poles")
soutiens_file = st.file_uploader("Soutiens (facultatif, CSV ou XLSX)", type=["csv", "txt", "xlsx"],
                                 key="upload_soutiens")
if poles_file is not None:
    try:
        key, raw = upload.read(poles_file, soutiens_file)  # once per content, in a child process
        missing = raw.unmatched()
        renames = {}
        if missing:
            st.warning("Certaines colonnes obligatoires ne sont pas reconnues : indiquez quelle colonne de "
                       "votre fichier correspond à chacune.")
            for table, (needed, columns) in missing.items():
                renames[table] = {}
                for column in needed:
                    picked = st.selectbox(f"Table « {table} » : colonne qui contient « {column} »",
                                          [""] + columns, key=f"map_{table}_{column}")
                    if picked:
                        renames[table][picked] = column
            if not all(len(renames[t]) == len(missing[t][0]) for t in missing):
                st.stop()
        if st.session_state.get("_import_signature") != (key, str(renames)):
            with st.spinner("Vérification et localisation des pôles…"):
                located = locate_registry(raw.validate(renames), common.territories(), common.gazetteer())
            st.session_state["registre_importe"] = located
            st.session_state["_import_signature"] = (key, str(renames))
    except reg_mod.RegistryError as exc:
        common.unreadable("Ce fichier ne peut pas être lu :", exc.issues)
        st.stop()

reg, is_demo = common.registry()
imported = st.session_state.get("registre_importe") is not None
if imported:
    n_ok = int((reg.poles["commune_insee"] != "").sum())
    st.success(f"Registre importé « {common.md(reg.source)} » : {len(reg.poles)} pôles, dont {n_ok} localisés ; "
               f"{len(reg.soutiens)} soutiens ; {len(reg.errors)} erreur(s), {len(reg.warnings)} avertissement(s). "
               "Il est utilisé par toutes les pages pendant cette session.")
    common.shared_link_warning()
    if st.button("Revenir au registre par défaut", key="reset_import"):
        for key in ("registre_importe", "_import_signature"):
            st.session_state.pop(key, None)
        st.rerun()

fmt = common.file_format("donnees_format")
if reg.issues:
    st.subheader("Rapport de vérification")
    common.table(reg.report_frame(), height=260)
    common.download("Télécharger le rapport (CSV)", reg.report_frame(), "rapport_registre.csv", fmt, "dl_rapport")
if imported:
    st.subheader("Aperçu des pôles localisés")
    located = reg.poles[reg.poles["_valide"].astype(bool) & reg.poles["commune_insee"].ne("")]
    st_folium(maps.preview_map(located, reg.soutiens), height=380, use_container_width=True,
              returned_objects=[], key="carte_apercu")

st.header("2. Télécharger")
filters, territory, _ = common.sidebar("donnees")
poles = coverage.filter_poles(reg.poles, reg.soutiens, filters)
ids = set(poles["id"])
supports = reg.soutiens[reg.soutiens["_valide"].astype(bool) & reg.soutiens["pole_id"].isin(ids)]
st.caption(f"Extraits selon les filtres de la barre latérale : {filters.describe()} — "
           f"{common.territory_label(territory)}")
a, b = st.columns(2)
with a:
    common.download(f"Pôles filtrés ({len(poles)})", poles, "poles.csv", fmt, "dl_poles")
    common.download(f"Soutiens de ces pôles ({len(supports)})", supports, "soutiens.csv", fmt, "dl_soutiens")
with b:
    niveau = st.selectbox("Couverture par", levels.CODES, key="dl_niveau",
                          format_func=lambda code: levels.get(code).in_text)
    within = territory if territory and territory[0] != "commune" else None
    table = coverage.coverage_table(common.territories(), poles, niveau, within=within)
    common.download(f"Couverture par {niveau} ({len(table)} lignes)", table, f"couverture_{niveau}.csv", fmt,
                    "dl_couverture")

# Exports SIG: its own block (GeoPackage / GeoJSON of the same view as the CSV extracts above)
common.gis_exports(poles, supports, territory,
                   f"{filters.describe()} — {common.territory_label(territory)}")

st.subheader("Modèle et schéma")
c1, c2, c3 = st.columns(3)
c1.download_button("Modèle à remplir (XLSX)", (paths.TEMPLATE_DIR / "registre_modele.xlsx").read_bytes(),
                   file_name="registre_modele.xlsx", key="dl_modele")
c2.download_button("Schéma des pôles (Table Schema)", (paths.SCHEMA_DIR / "poles.schema.json").read_bytes(),
                   file_name="poles.schema.json", mime="application/json", key="dl_schema_poles")
c3.download_button("Schéma des soutiens (Table Schema)", (paths.SCHEMA_DIR / "soutiens.schema.json").read_bytes(),
                   file_name="soutiens.schema.json", mime="application/json", key="dl_schema_soutiens")
