# The Samflyt image: the web UI (gunicorn), the Celery worker and beat all run from it;
# docker-compose.yml picks the command. Build: docker build -t samflyt .

# Browser assets: `npm ci` (package-lock.json pins them), then scripts/assets.sh, the one list
# of what the web UI serves (scripts/setup.sh runs it too), copies them into /src/vendor. Node and
# node_modules stay in this stage; the image gets only the copied files.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/assets.sh scripts/assets.sh
RUN bash scripts/assets.sh /src/vendor

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SAMFLYT_PROCESSES_DIR=/app/processes
WORKDIR /app
# WeasyPrint's system libraries and a font (the same list as scripts/setup.sh).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fontconfig fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
# Python packages from the lock alone: the runtime subset of requirements/lock.txt, same versions,
# checked against their hashes (`make lock` writes both). First, so that this layer is built
# again only when the lock changes; then Samflyt itself without resolving anything.
COPY requirements/lock-runtime.txt requirements/lock-runtime.txt
RUN pip install --no-cache-dir --disable-pip-version-check --require-hashes \
        -r requirements/lock-runtime.txt
COPY pyproject.toml README.md ./
COPY engine engine
COPY webui webui
COPY tasks tasks
COPY processes processes
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps -e . \
 && pybabel compile -d webui/translations \
 && useradd --system --home /app samflyt \
 && mkdir -p instance && chown samflyt instance
COPY --from=assets /src/vendor webui/static/vendor
USER samflyt
EXPOSE 8000
# The same web command as docker-compose.yml: production_app() refuses the default secret key.
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "webui.wsgi:production_app()"]
