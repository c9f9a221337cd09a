# eventgraph API image. Untested here (no Docker engine on the build machines); it installs
# exactly as `make` does (pip install -e into a venv) and runs `eventgraph serve` against
# EVENTGRAPH_DATABASE_URL. docs/docker-compose.yml runs it beside a PostgreSQL.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
# Editable, as `make` installs it: the migrations and fixtures are read from /app at run time.
RUN /opt/venv/bin/pip install -e .

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
    EVENTGRAPH_HOST=0.0.0.0 \
    EVENTGRAPH_PORT=8000
USER eventgraph
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["eventgraph", "serve"]
