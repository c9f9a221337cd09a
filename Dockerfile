# The eventgraph API image: `eventgraph serve` against the PostgreSQL named by
# EVENTGRAPH_DATABASE_URL (it starts none of its own, and refuses to start without one).
# Reproducible: the Python packages are installed from .ci/requirements.lock, every one pinned
# by version and hash (`make lock` rewrites it from pyproject.toml). docs/docker-compose.yml runs
# it beside a PostgreSQL. No Docker engine runs on the machines this project is built on:
# .ci/image.py replays this file without Docker (its files, install, ENV, CMD and HEALTHCHECK).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY .ci/requirements.lock ./requirements.lock
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
# Editable, as `make` installs it: the migrations and fixtures are read from /app at run time.
# Its dependencies are all in the lock already (--no-deps); only the build backend is fetched.
RUN /opt/venv/bin/pip install --no-deps -e .

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
