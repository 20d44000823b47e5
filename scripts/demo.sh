#!/usr/bin/env bash
# Set up, load the demo data and run openIMIS in the background:
# gunicorn on $HOST:$PORT (default 127.0.0.1:8000), a Celery worker and Celery beat.
# Pid files go to var/run/, logs to var/log/; `make stop` (scripts/stop.sh) ends them.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE=openimis.settings.dev
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# Where to probe: a wildcard bind address is reachable via loopback.
case "$HOST" in 0.0.0.0 | "::" | "[::]") PROBE_HOST=127.0.0.1 ;; *) PROBE_HOST=$HOST ;; esac
URL="http://$PROBE_HOST:$PORT"

scripts/setup.sh
echo "==> loading demo data"
.venv/bin/python manage.py load_demo

scripts/stop.sh
if curl -fsS -o /dev/null --max-time 2 "$URL/" 2>/dev/null; then
    echo "Something else already answers on $URL; stop it or set PORT." >&2
    exit 1
fi

mkdir -p var/run var/log
# start NAME CMD...: run CMD detached, output to var/log/NAME.log (replaced on each run),
# pid to var/run/NAME.pid.
start() {
    local name=$1
    shift
    echo "==> starting $name (log: var/log/$name.log)"
    nohup "$@" >"var/log/$name.log" 2>&1 </dev/null &
    echo $! >"var/run/$name.pid"
}
start gunicorn .venv/bin/gunicorn openimis.wsgi:application \
    --bind "$HOST:$PORT" --workers 3 --timeout 60
start worker .venv/bin/celery -A openimis worker --loglevel=INFO --concurrency=2
start beat .venv/bin/celery -A openimis beat --loglevel=INFO --schedule var/run/celerybeat-schedule

echo "==> waiting for $URL/healthz"
gunicorn_pid=$(cat var/run/gunicorn.pid)
for _ in $(seq 60); do
    if curl -fsS -o /dev/null --max-time 2 "$URL/healthz" 2>/dev/null; then
        echo
        echo "openIMIS demo running at http://$HOST:$PORT/"
        echo "Logs are in var/log/. Stop it with: make stop"
        exit 0
    fi
    kill -0 "$gunicorn_pid" 2>/dev/null || break # gunicorn died: no point waiting
    sleep 1
done
echo "openIMIS did not answer on $URL/healthz. Last lines of var/log/gunicorn.log:" >&2
tail -n 40 var/log/gunicorn.log >&2
scripts/stop.sh # do not leave a half-started demo behind
exit 1
