#!/usr/bin/env bash
# Issue 19's load test in one command (docs/performance.md "Concurrent load"): the clerks' and
# API clients' mix on SQLite, the same on PostgreSQL, then the SQLite writer sweep (10, 25, 50
# concurrent writers), each against `grassroots serve` + `grassroots worker` on the loopback.
# About 10 minutes. Run it on a quiet machine, alone:
#
#   flock /tmp/bench.lock bench/load_run.sh [SQLITE_VAR_DIR] [PG_DATABASE] [PG_VAR_DIR]
#
# SQLITE_VAR_DIR (default var/bench) holds a generated dataset (`grassroots generate --scale
# province`) and its load.env (`bench/load_setup.py > $DIR/load.env`); PG_DATABASE (default
# gr_load_province on postgres@127.0.0.1:5432) the same dataset, with its load.env in PG_VAR_DIR
# (default var/bench-pg). The datasets are never changed: each run works on a copy (a file copy;
# CREATE DATABASE ... TEMPLATE), so the runs can be repeated and compared. Environment:
# PYTHON (default .venv/bin/python), LOCUST (default /tmp/locust-venv/bin/locust, installed
# there with locust==2.47.0 if missing: bench only, not in requirements.txt), PORT (8177),
# SECONDS_MIX (150), SECONDS_WRITERS (40), SKIP ("sqlite", "postgres" and/or "writers"),
# LOAD_DEBUG (1: DEBUG=1, the development settings of the runs before session 10).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SQLITE_VAR=$(realpath "${1:-var/bench}")
PG_DB=${2:-gr_load_province}
PG_VAR=$(realpath "${3:-var/bench-pg}")
PY=${PYTHON:-$ROOT/.venv/bin/python}
LOCUST=${LOCUST:-/tmp/locust-venv/bin/locust}
PORT=${PORT:-8177}
SECONDS_MIX=${SECONDS_MIX:-150}
SECONDS_WRITERS=${SECONDS_WRITERS:-40}
SKIP=${SKIP:-}
PG_SERVER=postgres://postgres@127.0.0.1:5432
RUN=$(mktemp -d /tmp/gr-load.XXXXXX)
# Production settings (DEBUG off: no query log, no template debug data, Secure cookies, HTTPS
# redirect) as behind the TLS-terminating proxy of docs/deployment.md: the proxy's header is
# trusted (SECURE_PROXY_SSL_HEADER) and bench/load_locust.py plays the proxy on the loopback
# (X-Forwarded-Proto: https, Secure cookies sent back over the loopback). Until session 10 the
# runs used DEBUG=1 instead. A throwaway SECRET_KEY per run: production has no built-in one.
# LOAD_DEBUG=1 runs the development settings instead, to compare with the earlier runs.
if [ "${LOAD_DEBUG:-}" = 1 ]; then export DEBUG=1; else unset DEBUG; fi
export PYTHONPATH=$ROOT SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
export SECRET_KEY
echo "load test: results in $RUN; $(date -u '+%d/%m/%Y %H:%M UTC'); $(uptime)"

if [ ! -x "$LOCUST" ]; then
    python3 -m venv "$(dirname "$(dirname "$LOCUST")")"
    "$(dirname "$LOCUST")/pip" install -q locust==2.47.0
fi
for file in "$SQLITE_VAR/grassroots.sqlite3" "$SQLITE_VAR/load.env" "$PG_VAR/load.env"; do
    [ -f "$file" ] || { echo "missing $file (see the header of this script)"; exit 1; }
done

SERVER_PIDS=()
stop_server() {
    for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVER_PIDS=()
}
trap stop_server EXIT

cpu_seconds() {  # CPU (user + system) used so far by these processes and their live children
    "$PY" - "$@" <<'EOF'
import os, subprocess, sys
tick, todo, seen, total = os.sysconf("SC_CLK_TCK"), [int(p) for p in sys.argv[1:]], set(), 0
while todo:
    pid = todo.pop()
    if pid in seen:
        continue
    seen.add(pid)
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    total += int(fields[11]) + int(fields[12])  # utime, stime
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    todo += [int(p) for p in out.stdout.split()]
print(f"{total / tick:.1f}")
EOF
}

start_server() {  # $1 label, $2 var dir, $3 database URL ("" = the SQLite file in the var dir)
    local label=$1 var=$2 url=$3
    (
        export GRASSROOTS_VAR_DIR=$var
        [ -n "$url" ] && export DATABASE_URL=$url
        # A dataset made before main gained a migration: bring the copy up to date first (a
        # no-op in seconds when it is; a data migration over 170,000 members can take minutes).
        "$PY" -m grassroots.manage migrate --noinput -v0
        exec "$PY" -m grassroots.manage serve --bind "127.0.0.1:$PORT"
    ) > "$RUN/$label-server.log" 2>&1 &
    SERVER_PIDS+=($!)
    (
        export GRASSROOTS_VAR_DIR=$var
        [ -n "$url" ] && export DATABASE_URL=$url
        exec "$PY" -m grassroots.manage worker
    ) > "$RUN/$label-worker.log" 2>&1 &
    SERVER_PIDS+=($!)
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && return 0
        sleep 1
    done
    echo "$label: the server did not answer /healthz in 600 s (see $RUN/$label-server.log)"
    exit 1
}

locust_run() {  # $1 label, $2 env file, then locust options
    local label=$1 env=$2
    shift 2
    (
        set -a
        # shellcheck disable=SC1090
        . "$env"
        set +a
        export GRASSROOTS_LOAD_TRACE="$RUN/$label-trace.csv"
        "$LOCUST" -f bench/load_locust.py --headless --host "http://127.0.0.1:$PORT" \
            --only-summary --csv "$RUN/$label" "$@"
    ) 2>&1 | grep -v -E '^\[.*(INFO|WARNING)/' | tee "$RUN/$label-locust.log" || true
}

mix() {  # $1 label, $2 var dir, $3 database URL or "", $4 env file
    local label=$1 var=$2 url=$3 env=$4
    echo
    echo "=== $label: 50 clerks + 10 API clients, ramp 10/s, ${SECONDS_MIX} s; $(uptime)"
    start_server "$label" "$var" "$url"
    local before after pg_pids=""
    before=$(cpu_seconds "${SERVER_PIDS[0]}")
    locust_run "$label" "$env" -u 60 -r 10 -t "${SECONDS_MIX}s"
    after=$(cpu_seconds "${SERVER_PIDS[0]}")
    echo "$label: CPU of the web processes during the run: $("$PY" -c "print(round($after - $before, 1))") s; $(uptime)"
    "$PY" bench/load_cpu.py "$RUN/$label-server.log" --json "$RUN/$label-cpu.json" || true
    if [ -n "$url" ]; then
        pg_pids=$(psql "$PG_SERVER/postgres" -tAc \
            "SELECT pid FROM pg_stat_activity WHERE datname = '${url##*/}'" | tr '\n' ' ')
        # shellcheck disable=SC2086
        [ -n "$pg_pids" ] && echo "$label: CPU of its PostgreSQL backends (alive at the end): $(cpu_seconds $pg_pids) s"
    fi
    stop_server
}

# Copies of the datasets: the runs write (events, sessions, profile views), the datasets stay.
"$PY" -c "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')" \
    "$SQLITE_VAR/grassroots.sqlite3"
copy_sqlite() {  # $1 target var dir
    mkdir -p "$1"
    cp "$SQLITE_VAR/grassroots.sqlite3" "$SQLITE_VAR/load.env" "$1/"
}

if [[ $SKIP != *sqlite* ]]; then
    copy_sqlite "$RUN/sqlite"
    mix sqlite "$RUN/sqlite" "" "$RUN/sqlite/load.env"
fi

if [[ $SKIP != *postgres* ]]; then
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS gr_load_run" \
        -c "CREATE DATABASE gr_load_run TEMPLATE $PG_DB"
    # Planner statistics first: a dataset copied or migrated just before (a migration that
    # rewrites every member row) has none fresh, and the run then measured 2,6 s p95 instead of
    # 0,66 s (docs/performance.md "Session 8").
    psql "$PG_SERVER/gr_load_run" -qc "VACUUM ANALYZE"
    mkdir -p "$RUN/postgres"
    cp "$PG_VAR/load.env" "$RUN/postgres/"
    mix postgres "$RUN/postgres" "$PG_SERVER/gr_load_run" "$RUN/postgres/load.env"
    psql "$PG_SERVER/postgres" -qc "DROP DATABASE IF EXISTS gr_load_run"
fi

if [[ $SKIP != *writers* ]]; then
    copy_sqlite "$RUN/writers"
    echo
    echo "=== SQLite writers: N clerks recording events back to back, ${SECONDS_WRITERS} s each"
    start_server writers "$RUN/writers" ""
    day0=2026-10-02
    for n in 10 25 50; do
        echo
        echo "--- $n writers from $day0; $(uptime)"
        GRASSROOTS_LOAD=writers GRASSROOTS_WRITE_DAY0=$day0 \
            locust_run "writers-$n" "$RUN/writers/load.env" -u "$n" -r "$n" -t "${SECONDS_WRITERS}s"
        # database errors ("database is locked") are logged by the server as 500s
        echo "writers-$n: server errors logged: $(grep -c '"status": 5' "$RUN/writers-server.log" || true) (cumulative)"
        # Each writer moves one day on per saved event: at DEBUG=0, 10 writers saved ≈ 130 days
        # each in 40 s, so a 120-day step let the next run start inside their attachments
        # (20 % refused at 25 writers). 150 days, and the 50-writer run stays within a year.
        day0=$("$PY" -c "import datetime as d; print(d.date.fromisoformat('$day0') + d.timedelta(days=150))")
    done
    stop_server
fi
echo
echo "done: $(date -u '+%H:%M UTC'); $(uptime); CSV and logs in $RUN"
