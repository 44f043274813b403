"""Locations of the project's data files, relative to this package (never the CWD)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
DEMO_DIR = GEODATA / "demo"
DEMO_POLES = DEMO_DIR / "poles.csv"
DEMO_SOUTIENS = DEMO_DIR / "soutiens.csv"
SCHEMA_DIR = GEODATA / "schema"
TEMPLATE_DIR = GEODATA / "modele"
