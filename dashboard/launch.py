"""Start Streamlit so that ``app.py`` runs for every address of the app.

The project's layout puts the pages in ``dashboard/pages/``, next to ``app.py``.
Streamlit takes a ``pages`` folder beside the main script for its first,
folder-based multipage mode: a page's own address (``/zones_blanches``) then
runs that page's file alone, without ``app.py`` — without its navigation (the
sidebar lists file names), its page settings or its French error handling.
``app.py`` declares every page with ``st.navigation``, so the folder mode is
turned off here, before the server starts. Used by :func:`dashboard.serve.command`.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
