# The eventgraph API image: `eventgraph serve` against the PostgreSQL named by
# EVENTGRAPH_DATABASE_URL (it starts none of its own, and refuses to start without one).
# Reproducible and lean: every Python package comes from a lock, pinned by version and hash
# (`make lock` rewrites both from pyproject.toml): the runtime dependencies from
# .ci/requirements.lock into /opt/venv, the only environment the image keeps; the build backend
# that installs the project itself from .ci/build-requirements.lock into /opt/build, left in the
# build stage. Nothing is fetched unpinned: the project is installed with --no-index. The
# embedded PostgreSQL of development (the dev extra) is not in the image. It runs as a user of
# its own, not root. docs/docker-compose.yml runs it beside a PostgreSQL. No Docker engine runs
# on the machines this project is built on: .ci/image.py replays this file without Docker (its
# files, its build stage's RUN lines, the final stage's ENV, USER, CMD and HEALTHCHECK).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv && python -m venv /opt/build
COPY .ci/requirements.lock .ci/build-requirements.lock ./
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock
RUN /opt/build/bin/pip install --require-hashes --no-deps -r build-requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY api ./api
COPY schema ./schema
# Editable, as `make` installs it: the migrations and fixtures are read from /app at run time.
# The locked hatchling builds the editable wheel (PEP 660); it is installed offline, without its
# dependencies (all in requirements.lock already).
RUN /opt/build/bin/python -c "from hatchling.build import build_editable; build_editable('/opt/wheel')" \
    && /opt/venv/bin/pip install --no-index --no-deps /opt/wheel/eventgraph-*.whl

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app eventgraph
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
COPY alembic /app/alembic
COPY fixtures /app/fixtures
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    EVENTGRAPH_ENVIRONMENT=production \
    EVENTGRAPH_EMBEDDED_DATABASE=false \
    EVENTGRAPH_HOST=0.0.0.0 \
    EVENTGRAPH_PORT=8000 \
    EVENTGRAPH_METRICS=0.0.0.0:9464
USER eventgraph
# 8000: the API; 9464: /metrics, for the monitoring network only (publish it nowhere public).
EXPOSE 8000 9464
# Ready means the database answers and is migrated, on whatever port EVENTGRAPH_PORT says.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['EVENTGRAPH_PORT']}/readyz\", timeout=2)"
CMD ["eventgraph", "serve"]
