#!/usr/bin/env bash
# A shared MLflow tracking server: PostgreSQL for runs and metrics, a folder for artifacts.
#
#   services/tracking_server.sh start [DIR] [PORT]   # PostgreSQL + mlflow server on 127.0.0.1
#   services/tracking_server.sh stop [DIR]           # stops both
#
# DIR (default results/tracking-server) holds PostgreSQL's data, the artifacts and the logs.
# PORT (default 5000) is the MLflow server's; PostgreSQL listens on PORT + 1. Then:
#   export MLFLOW_TRACKING_URI=http://127.0.0.1:PORT
# Needs Debian's postgresql (apt-get install postgresql) and the server extra
# (pip install -e '.[server]', the PostgreSQL driver). On a team's head node, change HOST
# (default 127.0.0.1) to an address the compute nodes reach.
set -euo pipefail

command=${1:-}
dir=$(realpath -m "${2:-results/tracking-server}")
port=${3:-5000}
host=${HOST:-127.0.0.1}
pg_port=$((port + 1))
mlflow=${MLFLOW:-mlflow}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

fail() { echo "tracking_server.sh: $*" >&2; exit 1; }

as_db_user() {  # PostgreSQL refuses to run as root: use its own account then
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
    local seconds=$1 what=$2
    shift 2
    for _ in $(seq "$seconds"); do
        "$@" >/dev/null 2>&1 && return
        sleep 1
    done
    fail "$what did not answer in $seconds s; see the logs in $dir"
}

start() {
    [[ -n $pg_bin ]] || fail "PostgreSQL is missing: apt-get install postgresql"
    command -v "$mlflow" >/dev/null || fail "no '$mlflow' command: run from the project's venv"
    "$(dirname "$(command -v "$mlflow")")/python" -c 'import psycopg2' 2>/dev/null \
        || fail "the PostgreSQL driver is missing: pip install -e '.[server]'"
    [[ -f $dir/mlflow.pid ]] && kill -0 "$(cat "$dir/mlflow.pid")" 2>/dev/null \
        && fail "already running from $dir (services/tracking_server.sh stop $dir)"
    mkdir -p "$dir/artifacts"
    if [[ $(id -u) == 0 ]] && ! runuser -u postgres -- test -x "$dir"; then
        fail "PostgreSQL's account (postgres) cannot reach $dir: choose a folder whose parents it may enter"
    fi
    if [[ ! -d $dir/postgres ]]; then
        mkdir -p "$dir/postgres"
        [[ $(id -u) == 0 ]] && chown postgres "$dir/postgres"
        as_db_user "$pg_bin/initdb" --auth=trust --username=mlflow -D "$dir/postgres" \
            >"$dir/initdb.log"
    fi
    [[ $(id -u) == 0 ]] && chown postgres "$dir/postgres"
    if ! "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then  # (a restart may find it up)
        as_db_user "$pg_bin/pg_ctl" -D "$dir/postgres" -l "$dir/postgres/postgres.log" -w start \
            -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $dir/postgres" >/dev/null
    fi
    wait_for 30 PostgreSQL "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port"
    "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U mlflow -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'mlflow'" | grep -q 1 \
        || "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U mlflow mlflow
    MLFLOW_DISABLE_TELEMETRY=true setsid "$mlflow" server \
        --backend-store-uri "postgresql+psycopg2://mlflow@127.0.0.1:$pg_port/mlflow" \
        --artifacts-destination "$dir/artifacts" \
        --host "$host" --port "$port" --workers 2 \
        >"$dir/mlflow.log" 2>&1 &
    echo $! >"$dir/mlflow.pid"
    wait_for 120 "mlflow server" curl -sf "http://$host:$port/health"
    echo "tracking_server.sh: MLflow on PostgreSQL is up; run:"
    echo "  export MLFLOW_TRACKING_URI=http://$host:$port"
}

stop() {
    if [[ -f $dir/mlflow.pid ]]; then
        pid=$(cat "$dir/mlflow.pid")
        kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 -- "-$pid" 2>/dev/null || true
        rm -f "$dir/mlflow.pid"
    fi
    if [[ -n $pg_bin && -f $dir/postgres/postmaster.pid ]]; then
        as_db_user "$pg_bin/pg_ctl" -D "$dir/postgres" -m fast -w stop >/dev/null || true
    fi
    echo "tracking_server.sh: stopped"
}

case $command in
start) start ;;
stop) stop ;;
*) fail "usage: services/tracking_server.sh start|stop [DIR] [PORT]" ;;
esac
