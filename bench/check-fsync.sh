#!/usr/bin/env bash
# NAME
#   check-fsync.sh - show that an MTA syncs a message to disk before its 250
# SYNOPSIS
#   bench/check-fsync.sh [postfix|camel-mta]
# DESCRIPTION
#   Starts the MTA as bench/run.sh does (private Postfix instance, or
#   bin/camel-mta with the bench configuration), attaches strace to all its
#   processes and threads, sends 3 messages with smtp-source, and prints, in
#   time order, the sync system calls (fsync, fdatasync, sync_file_range, msync,
#   io_submit/io_uring_enter for O_DIRECT journals) and the "250 ... queued"
#   replies. Durability holds when each 250 follows a sync by the same message.
#   Ports: POSTFIX_PORT/POSTFIX_SINK_PORT, CAMEL_PORT/CAMEL_SINK_PORT as in run.sh.
# DIAGNOSTICS
#   Exits non-zero when the MTA does not start or strace is missing
#   (apt-get install strace).

set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
MTA=${1:-postfix}
SESSIONS=1 MESSAGES=3 SIZE=4096 RCPTS=1 REUSE=1 WARMUP=0 TIMEOUT=60
POSTFIX_PORT=${POSTFIX_PORT:-2625} POSTFIX_SINK_PORT=${POSTFIX_SINK_PORT:-2626}
CAMEL_PORT=${CAMEL_PORT:-2628} CAMEL_SINK_PORT=${CAMEL_SINK_PORT:-2627}

. "$BENCH/lib.sh"
. "$BENCH/install.sh"
. "$BENCH/postfix.sh"
. "$BENCH/camel-mta.sh"

command -v strace >/dev/null || { note "strace is missing (apt-get install strace)"; exit 1; }
bench_install || exit 1
BASE=$(mktemp -d /tmp/camel-mta-fsync.XXXXXX) || exit 1
chmod 755 "$BASE"
STRACE_PID=
cleanup() {
    [ -n "$STRACE_PID" ] && kill "$STRACE_PID" 2>/dev/null
    camel_stop; postfix_stop; sink_stop "$BASE"
    rm -rf "$BASE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $MTA in
    postfix)
        port=$POSTFIX_PORT
        sink_start "$BASE" "$POSTFIX_SINK_PORT" 1000000 || exit 1
        postfix_setup "$BASE/mta" "$port" "$POSTFIX_SINK_PORT" && postfix_start || exit 1
        root=$(tr -d ' ' <"$BASE/mta/spool/pid/master.pid") ;;
    camel-mta)
        port=$CAMEL_PORT
        sink_start "$BASE" "$CAMEL_SINK_PORT" 1000000 || exit 1
        camel_setup "$BASE/mta" "$port" "$CAMEL_SINK_PORT" && camel_start || exit 1
        root=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2) ;;
    *) echo "usage: $0 [postfix|camel-mta]" >&2; exit 2 ;;
esac
[ -n "$root" ] || { note "cannot find the process listening on port $port"; exit 1; }

# the listener's process, its children, and their children (Postfix: master -> daemons)
pids=$root
for p in $(pgrep -P "$root"); do pids="$pids $p $(pgrep -P "$p" | tr '\n' ' ')"; done
attach=()
for p in $pids; do
    for t in /proc/"$p"/task/*; do attach+=(-p "${t##*/}"); done   # every thread (a JVM has many)
done
strace -f -tt -s 48 -e signal=none \
    -e trace=fsync,fdatasync,sync_file_range,msync,io_submit,io_uring_enter,write,writev,sendto,sendmsg \
    -o "$BASE/strace.out" "${attach[@]}" 2>/dev/null &
STRACE_PID=$!
sleep 2   # strace attaches asynchronously; this is a diagnostic tool, not a test
source_run "$port" "$MESSAGES" "$BASE/source.out" || { note "smtp-source failed"; tail -3 "$BASE/source.out" >&2; }
sleep 1
kill "$STRACE_PID"; wait "$STRACE_PID" 2>/dev/null; STRACE_PID=
echo "$MTA: sync calls and 250 replies, in time order (pid time call):"
grep -E 'fsync|fdatasync|sync_file_range|msync|io_submit|io_uring_enter|"250 [^"]*queued' "$BASE/strace.out" \
    | grep -v 'resumed>' | sed 's/, [0-9]*) *= [0-9]*$//'
