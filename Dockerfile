# B12 × ESR explainer: one stateless Streamlit replica. Build: docker build -t b12-esr-explainer .
# Run: docker run -p 8501:8501 -e STREAMLIT_SERVER_COOKIE_SECRET="$(openssl rand -hex 32)" b12-esr-explainer
# (Not built in CI here; see README "Deploy".) A class: one container per core behind HAProxy, all with the same
# cookie secret: deploy/compose.yaml with deploy/haproxy.cfg (the shape scripts/serve.sh runs on one machine).
# .streamlit/config.toml carries the server tuning (no after-run full GC, no file watcher; bench/HISTORY.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# A user without a login shell or password; the code stays owned by root, so the app cannot change it.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, pinned, so a code change does not reinstall them.
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY .streamlit/config.toml ./.streamlit/config.toml
COPY app.py ./
COPY b12logic ./b12logic
COPY ui ./ui
COPY pages ./pages

USER app

EXPOSE 8501

# No curl in the slim image: Python's urllib asks Streamlit's own health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"]

CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
