# callbot: the Slack bot for Wolkvox contact centres.
#
#   docker build -t callbot .
#   docker run -d --name callbot \
#     -v "$PWD/callbot.yml:/etc/callbot/callbot.yml:ro" -v callbot-data:/data \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e WOLKVOX_TOKEN callbot
#
# HTTP mode instead of Socket Mode: add `-e SLACK_SIGNING_SECRET -p 3000:3000
# -e CALLBOT_HEALTH_URL=http://127.0.0.1:3000/healthz` and the command `callbot run --http`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Dependencies first, exactly as pinned and hashed in requirements.lock (so two builds of one
# commit install the same bytes, and this layer is cached until the lock changes); then
# callbot itself with --no-deps, so nothing unpinned comes in.
WORKDIR /src
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
RUN pip install --no-deps . && rm -rf /src

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin callbot \
    && mkdir -p /data /etc/callbot \
    && chown callbot:callbot /data

# The configuration is mounted read-only; a relative `store.path` (the default,
# callbot.sqlite3) lands in the working directory, the /data volume.
ENV CALLBOT_CONFIG=/etc/callbot/callbot.yml \
    CALLBOT_HTTP_HOST=0.0.0.0 \
    CALLBOT_HEALTH_URL=http://127.0.0.1:9090/healthz
WORKDIR /data
VOLUME ["/data"]
USER callbot

# 3000: HTTP mode (Slack requests, /healthz, /metrics); 9090: /healthz and /metrics in Socket Mode.
EXPOSE 3000 9090

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['CALLBOT_HEALTH_URL'], timeout=4)"]

CMD ["callbot", "run"]
