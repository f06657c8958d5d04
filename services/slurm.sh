#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for trying negr2's cluster path for real.
#
#   services/slurm.sh start [DIR]   # munged, slurmctld and slurmd; config and state in DIR
#   services/slurm.sh status [DIR]  # sinfo of the running cluster
#   services/slurm.sh stop [DIR]    # cancel its jobs, stop what start started
#
# DIR defaults to /tmp/negr2-slurm. After `start`, point SLURM's commands at it:
#   export SLURM_CONF=DIR/slurm.conf
# Needs Debian's slurm-wlm and munge (apt-get install slurm-wlm munge) and root:
# slurmd runs jobs as their submitting user. No cgroups and no accounting: the setup
# runs anywhere, including in a container. Not a production cluster. Two partitions:
# main (the default, no limits) and short (2 minutes, 500 MB per node), which no trial
# job fits, for trying the check of limits before submitting (docs/cluster.md).
set -euo pipefail

command=${1:-}
dir=$(realpath -m "${2:-/tmp/negr2-slurm}")
conf="$dir/slurm.conf"
export SLURM_CONF="$conf"

fail() { echo "slurm.sh: $*" >&2; exit 1; }

need_tools() {
    local missing=()
    for tool in munged slurmctld slurmd sinfo sbatch squeue; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    ((${#missing[@]} == 0)) || fail "missing ${missing[*]}: apt-get install slurm-wlm munge"
    [[ $(id -u) == 0 ]] || fail "run as root (slurmd starts jobs as their submitting user)"
}

write_conf() {
    local host cpus mem_mb
    host=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024))
    mkdir -p "$dir/state" "$dir/spool"
    cat >"$conf" <<CONF
ClusterName=negr2
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
SlurmctldPort=${SLURMCTLD_PORT:-6817}
SlurmdPort=${SLURMD_PORT:-6818}
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=86400
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=short Nodes=ALL MaxTime=2 MaxMemPerNode=500 State=UP
CONF
}

start_munge() {
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        return  # a munged already answers
    fi
    [[ -f /etc/munge/munge.key ]] || /usr/sbin/mungekey --create --keyfile /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- munged
    touch "$dir/started-munged"
}

wait_idle() {
    for _ in $(seq 60); do
        if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
            return
        fi
        sleep 1
    done
    fail "the node did not come up in 60 s; see $dir/slurmctld.log and $dir/slurmd.log"
}

case $command in
start)
    need_tools
    if [[ -f $dir/slurmctld.pid ]] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
        fail "already running from $dir (services/slurm.sh stop $dir)"
    fi
    write_conf
    # Job steps (srun inside a job) look for /etc/slurm/slurm.conf whatever SLURM_CONF
    # the submitter had: link ours there unless the machine has its own.
    if [[ ! -e /etc/slurm/slurm.conf ]]; then
        mkdir -p /etc/slurm && ln -s "$conf" /etc/slurm/slurm.conf
    fi
    start_munge
    slurmctld -f "$conf"
    slurmd -f "$conf"
    wait_idle
    echo "slurm.sh: a one-node cluster is up; run: export SLURM_CONF=$conf"
    ;;
status)
    sinfo
    ;;
stop)
    [[ -f $conf ]] || fail "no cluster in $dir"
    scancel --full --signal=KILL -u "$(id -un)" 2>/dev/null || true
    for daemon in slurmd slurmctld; do
        pidfile="$dir/$daemon.pid"
        if [[ -f $pidfile ]]; then
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            kill -9 "$pid" 2>/dev/null || true
            rm -f "$pidfile"
        fi
    done
    if [[ $(readlink /etc/slurm/slurm.conf) == "$conf" ]]; then
        rm -f /etc/slurm/slurm.conf
    fi
    if [[ -f $dir/started-munged ]]; then
        pkill -u munge -x munged || true
        rm -f "$dir/started-munged"
    fi
    echo "slurm.sh: stopped"
    ;;
*)
    fail "usage: services/slurm.sh start|status|stop [DIR]"
    ;;
esac
