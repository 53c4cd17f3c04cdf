#!/usr/bin/env bash
# Starts the tracker on the embedded defaults: the web server plus one Celery worker with beat.
# Stops everything on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

VAR_DIR=${TRACKER_VAR_DIR:-var}
mkdir -p "$VAR_DIR"
"$VENV/bin/celery" -A tracker worker --beat --loglevel=INFO --concurrency=2 >"$VAR_DIR/celery.log" 2>&1 &
celery_pid=$!
trap 'kill $celery_pid 2>/dev/null; wait $celery_pid 2>/dev/null' EXIT INT TERM

echo "Celery worker with beat: pid $celery_pid, log in $VAR_DIR/celery.log"
echo "The tracker: http://$HOST:$PORT/   admin: http://$HOST:$PORT/admin/"
"$VENV/bin/python" manage.py runserver "$HOST:$PORT"
