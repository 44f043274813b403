"""Streamlit dashboard: wiring between widgets and the ptce_geo core."""
