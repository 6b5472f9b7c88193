# The Samflyt image: the web UI (gunicorn), the Celery worker and beat all run from it;
# docker-compose.yml picks the command. Build: docker build -t samflyt .

# Browser assets from npm (package-lock.json pins them), as scripts/setup.sh copies them.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p vendor/bpmn-js vendor/axe-core \
 && cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
       node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css \
       vendor/bpmn-js/ \
 && cp -r node_modules/bpmn-js/dist/assets/bpmn-font vendor/bpmn-js/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SAMFLYT_PROCESSES_DIR=/app/processes
WORKDIR /app
COPY pyproject.toml README.md ./
COPY engine engine
COPY webui webui
COPY tasks tasks
COPY processes processes
RUN pip install --no-cache-dir -e . \
 && pybabel compile -d webui/translations \
 && useradd --system --home /app samflyt \
 && mkdir -p instance && chown samflyt instance
COPY --from=assets /src/vendor webui/static/vendor
USER samflyt
EXPOSE 8000
CMD ["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "webui.app:create_app()"]
