"""Start the dashboard with the project's settings: ``python -m dashboard.serve [streamlit options]``.

Streamlit's own upload limit (``server.maxUploadSize``, whole megabytes) is
set from ``PTCE_MAX_UPLOAD_MB``, so the browser refuses what the core would
refuse. Tests and benchmarks start their servers with :func:`command` too.
"""

from __future__ import annotations

import math
import os
import sys

from ptce_geo import paths, settings


def command(*options: str) -> list[str]:
    """The command line that runs the app, with ``options`` passed to Streamlit."""
    upload_mb = max(1, math.ceil(settings.max_upload_mb()))
    return [sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "dashboard" / "app.py"),
            "--server.maxUploadSize", str(upload_mb), *options]


def main(argv: list[str] | None = None) -> None:
    argv = command(*(sys.argv[1:] if argv is None else argv))
    os.chdir(paths.ROOT)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
