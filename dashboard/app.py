"""Entry point, started by ``python -m dashboard.serve`` (see dashboard/launch.py for why not ``streamlit run``)."""

from pathlib import Path

import streamlit as st

from dashboard import auth, common  # the project is installed (editable) by scripts/setup.sh

st.set_page_config(page_title="PTCE — tableau de bord territorial", page_icon="🗺️", layout="wide")
common.offline_assets()
PAGES_DIR = Path(__file__).resolve().parent / "pages"
if common.embed_requested():  # ?vue=integration: the map alone, for a collectivité's site (iframe)
    common.run_page(st.navigation([st.Page(PAGES_DIR / "integration.py", title="Carte des PTCE", default=True)],
                                  position="hidden"))
    st.stop()
navigation = st.navigation([
    st.Page(PAGES_DIR / "carte.py", title="Carte des pôles", icon=":material/map:", default=True),
    st.Page(PAGES_DIR / "zones_blanches.py", title="Zones blanches", icon=":material/crop_square:"),
    st.Page(PAGES_DIR / "fiche_territoire.py", title="Fiche territoire", icon=":material/description:"),
    st.Page(PAGES_DIR / "leviers.py", title="Analyse des leviers", icon=":material/bar_chart:"),
    st.Page(PAGES_DIR / "donnees.py", title="Données", icon=":material/upload_file:"),
    # listed for editors only; kept for everyone else, so that a link to it is answered in French
    st.Page(PAGES_DIR / "edition.py", title="Édition", icon=":material/edit:",
            visibility="visible" if auth.can_edit() else "hidden"),
    st.Page(PAGES_DIR / "accessibilite.py", title="Accessibilité", icon=":material/accessibility:"),
])
common.run_page(navigation)
