"""Core library of the PTCE territorial dashboard.

Pure Python on top of geopandas: it never imports streamlit, so the
command line, the tests and the dashboard all share one implementation.
"""

__version__ = "0.1.0"
