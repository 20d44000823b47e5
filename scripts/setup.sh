#!/usr/bin/env bash
# Prepare this machine to run openIMIS: system packages, .venv, PostgreSQL, Redis,
# then compile translations, migrate and collect static files.
# Idempotent: a second run skips whatever is already in place.
#
# Environment:
#   DJANGO_SETTINGS_MODULE  settings for the manage.py steps (default openimis.settings.dev)
#   DATABASE_URL            if set, the role/database are not created; the local server is
#                           only started when the URL points at 127.0.0.1/localhost:5432
#   REDIS_URL               same idea for Redis on 127.0.0.1/localhost:6379
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-openimis.settings.dev}"
PY=.venv/bin/python

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# wait_for SECONDS CMD...: retry CMD once a second until it succeeds.
wait_for() {
    local tries=$1
    shift
    until "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        if ((tries <= 0)); then return 1; fi
        sleep 1
    done
}

# is_local URL PORT: true when URL is empty or its host:port is this machine on PORT.
is_local() {
    local hostport=${1#*://}
    hostport=${hostport##*@}       # drop user:password@
    hostport=${hostport%%/*}       # drop /path
    case "$hostport" in
        "" | 127.0.0.1 | localhost | "127.0.0.1:$2" | "localhost:$2") return 0 ;;
        *) return 1 ;;
    esac
}

# --- System packages -------------------------------------------------------
# curl is used by scripts/demo.sh to wait for /healthz; wrk by bench/bench_policies.py (load through gunicorn).
APT_PACKAGES=(postgresql postgresql-contrib redis-server chromium fonts-dejavu-core fonts-liberation curl
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libffi-dev gettext python3-venv poppler-utils wrk)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    status=$(dpkg -s "$pkg" 2>/dev/null || true)
    [[ $status == *"Status: install ok installed"* ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
    say "system packages: all present"
elif ((EUID != 0)); then
    warn "not root, skipping apt; missing packages: ${missing[*]}"
else
    say "system packages: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Python virtualenv -----------------------------------------------------
if [[ ! -x $PY ]]; then
    say "venv: creating .venv"
    python3 -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ "$(cat "$stamp" 2>/dev/null || true)" == "$want" ]]; then
    say "venv: requirements.txt unchanged"
else
    say "venv: installing requirements.txt"
    .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
    echo "$want" >"$stamp"
fi

# --- PostgreSQL --------------------------------------------------------------
# Run psql as the postgres superuser against the server on port 5432: via runuser when
# root, else sudo, else plain TCP (which only works where local auth is trust).
as_postgres_psql() {
    local psql=(psql -p 5432 -v ON_ERROR_STOP=1 -qtA "$@")
    if ((EUID == 0)); then
        (cd /tmp && runuser -u postgres -- "${psql[@]}")
    elif sudo -n true 2>/dev/null; then
        (cd /tmp && sudo -n -u postgres "${psql[@]}")
    else
        "${psql[@]}" -h 127.0.0.1 -U postgres
    fi
}

# Size the local server for the scheme's work rather than PostgreSQL's laptop defaults, once: a quarter of the
# memory for shared buffers (at most 2 GB) and enough WAL between checkpoints that a batch run over a month of
# claims is not slowed by a checkpoint every few seconds. Left alone when shared_buffers is no longer the default
# 128 MB (an administrator chose it). Shared buffers take effect on restart.
tune_postgres() {
    local current mem_mb limit shared cluster
    current=$(as_postgres_psql -c "SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
    if [[ $current != 16384 ]]; then
        say "postgres: memory settings chosen already (shared_buffers $((current * 8 / 1024)) MB)"
        return
    fi
    mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
    limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || echo max)
    [[ $limit == max ]] || ((limit / 1048576 >= mem_mb)) || mem_mb=$((limit / 1048576))
    shared=$((mem_mb / 4))
    ((shared <= 2048)) || shared=2048
    ((shared > 128)) || return 0
    say "postgres: sizing for this machine (shared_buffers ${shared} MB, max_wal_size 4 GB), restarting"
    as_postgres_psql -c "ALTER SYSTEM SET shared_buffers = '${shared}MB'" \
        -c "ALTER SYSTEM SET effective_cache_size = '$((mem_mb / 2))MB'" \
        -c "ALTER SYSTEM SET max_wal_size = '4GB'" \
        -c "ALTER SYSTEM SET checkpoint_completion_target = 0.9" \
        -c "ALTER SYSTEM SET wal_compression = on"
    cluster=$(pg_lsclusters --no-header | awk '$3 == 5432 {print $1, $2; exit}')
    # shellcheck disable=SC2086  # "version name"
    pg_ctlcluster --skip-systemctl-redirect $cluster restart
    wait_for 30 pg_isready -q -h 127.0.0.1 -p 5432 || {
        echo "PostgreSQL did not come back on 127.0.0.1:5432 after the restart" >&2
        exit 1
    }
}

if ! is_local "${DATABASE_URL:-}" 5432; then
    say "postgres: DATABASE_URL points elsewhere, not touching the local server"
else
    if pg_isready -q -h 127.0.0.1 -p 5432; then
        say "postgres: running"
    else
        # Newest installed major version; create its "main" cluster if apt did not.
        # shellcheck disable=SC2012  # version directories are plain numbers
        ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
        # shellcheck disable=SC2012
        [[ -n $ver ]] || ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
        if [[ ! -d /etc/postgresql/$ver/main ]]; then
            say "postgres: creating cluster $ver/main"
            pg_createcluster -p 5432 "$ver" main >/dev/null
        fi
        say "postgres: starting cluster $ver/main"
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start
        wait_for 30 pg_isready -q -h 127.0.0.1 -p 5432 || {
            echo "PostgreSQL is not ready on 127.0.0.1:5432 (see pg_lsclusters for its port)" >&2
            exit 1
        }
    fi
    if [[ -n ${DATABASE_URL:-} ]]; then
        say "postgres: DATABASE_URL given, skipping role/database creation"
    else
        role=$(as_postgres_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'openimis'")
        db=$(as_postgres_psql -c "SELECT 1 FROM pg_database WHERE datname = 'openimis'")
        if [[ $role == 1 ]]; then
            say "postgres: role openimis exists"
        else
            say "postgres: creating role openimis"
            # CREATEDB: the test suite creates its own test database.
            as_postgres_psql -c "CREATE ROLE openimis LOGIN CREATEDB PASSWORD 'openimis'"
        fi
        if [[ $db == 1 ]]; then
            say "postgres: database openimis exists"
        else
            say "postgres: creating database openimis"
            as_postgres_psql -c "CREATE DATABASE openimis OWNER openimis"
        fi
        tune_postgres
    fi
fi

# --- Redis -------------------------------------------------------------------
if ! is_local "${REDIS_URL:-}" 6379; then
    say "redis: REDIS_URL points elsewhere, not touching the local server"
elif [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" == PONG ]]; then
    say "redis: running"
else
    say "redis: starting"
    # No persistence: Redis only holds the cache and the Celery queue here.
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    redis_up() { [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == PONG ]]; }
    wait_for 30 redis_up || { echo "Redis did not answer PING" >&2; exit 1; }
fi

# --- Django ------------------------------------------------------------------
say "django: using $DJANGO_SETTINGS_MODULE"
if [[ -d locale ]]; then
    say "django: compilemessages"
    $PY manage.py compilemessages --ignore=.venv -v0
fi
say "django: migrate"
$PY manage.py migrate --noinput
say "django: collectstatic"
$PY manage.py collectstatic --noinput -v0
say "setup done"
