# mnr-graph in a container. Two images from one file, both on the same Python base:
#   docker build -t mnr-graph .                          the API (default target `mnr-graph`)
#   docker build -t mnr-graph-oxigraph --target oxigraph .   `oxigraph serve` (PyPI), a remote store
# deploy/compose.yaml and deploy/compose.oxigraph.yaml run them. Both run as an unprivileged user
# and with a read-only root filesystem: they write only to their volume and to /tmp (a tmpfs).
# The versions of every Python package come from the lock, requirements/constraints.txt.

FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# The one user both images run as; it owns nothing but the volume it writes to.
RUN groupadd --system --gid 10001 mnr \
    && useradd --system --uid 10001 --gid mnr --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin mnr

# --- `oxigraph serve` from PyPI, at the version the tests run (the lock) -------------------------
FROM base AS oxigraph
COPY requirements/constraints.txt /opt/oxigraph/constraints.txt
# The lock (-c) pins oxigraph's version: the image serves the one the tests run.
RUN python -m venv /opt/oxigraph/venv \
    && /opt/oxigraph/venv/bin/pip install -c /opt/oxigraph/constraints.txt oxigraph \
    && install -d -o mnr -g mnr -m 0700 /var/lib/oxigraph
USER 10001:10001
VOLUME ["/var/lib/oxigraph"]
EXPOSE 7878
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7878/query?query=ASK%7B%7D', timeout=4)"]
ENTRYPOINT ["/opt/oxigraph/venv/bin/oxigraph"]
CMD ["serve", "--location", "/var/lib/oxigraph", "--bind", "0.0.0.0:7878"]

# --- mnr-graph: installed and started by the scripts the tests run --------------------------------
FROM base AS mnr-graph
WORKDIR /opt/mnr-graph
COPY pyproject.toml README.md LICENSE ./
COPY requirements/ requirements/
COPY scripts/ scripts/
COPY src/ src/
COPY ontology/ ontology/
COPY shapes/ shapes/
COPY sparql/ sparql/
COPY examples/ examples/
# scripts/install makes .venv and installs the package with the lock's versions; scripts/serve
# runs it again at each start, finds .venv current (nothing changed) and writes nothing.
RUN bash scripts/install \
    && install -d -o mnr -g mnr -m 0700 /var/lib/mnr-graph
USER 10001:10001
VOLUME ["/var/lib/mnr-graph"]
# MNR_GRAPH_* variables configure it (README); the port is read by the health check too. The
# store is also set here, so options given in place of CMD keep it on the volume.
ENV MNR_GRAPH_HOST=0.0.0.0 \
    MNR_GRAPH_PORT=8000 \
    MNR_GRAPH_STORE=/var/lib/mnr-graph
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/mnr-graph/.venv/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('MNR_GRAPH_PORT', '8000'), timeout=4)"]
ENTRYPOINT ["bash", "/opt/mnr-graph/scripts/serve"]
CMD ["--store", "/var/lib/mnr-graph"]
