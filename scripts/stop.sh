#!/usr/bin/env bash
# Stop the processes started by scripts/demo.sh (pid files in var/run/). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

for name in gunicorn worker beat; do
    pidfile=var/run/$name.pid
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    cmdline=""
    if [[ $pid =~ ^[0-9]+$ ]]; then
        cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
    fi
    # Only signal a live process that is still ours (a stale pid may have been reused).
    if [[ $cmdline == *gunicorn* || $cmdline == *celery* ]]; then
        echo "==> stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        # Gunicorn and Celery shut down gracefully on TERM; give them 15 s.
        for _ in $(seq 30); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "==> $name still running, killing"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile"
done
