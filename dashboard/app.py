"""Entry point: ``streamlit run dashboard/app.py``."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # streamlit runs this file as a script
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import common  # noqa: E402

st.set_page_config(page_title="PTCE — tableau de bord territorial", page_icon="🗺️", layout="wide")
common.offline_assets()
PAGES_DIR = Path(__file__).resolve().parent / "pages"
navigation = st.navigation([
    st.Page(PAGES_DIR / "carte.py", title="Carte des pôles", icon=":material/map:", default=True),
    st.Page(PAGES_DIR / "zones_blanches.py", title="Zones blanches", icon=":material/crop_square:"),
    st.Page(PAGES_DIR / "fiche_territoire.py", title="Fiche territoire", icon=":material/description:"),
    st.Page(PAGES_DIR / "leviers.py", title="Analyse des leviers", icon=":material/bar_chart:"),
    st.Page(PAGES_DIR / "donnees.py", title="Données", icon=":material/upload_file:"),
])
navigation.run()
