#!/usr/bin/env bash
# NAME
#   matrix.sh - the full benchmark matrix: camel-mta against Postfix, case by case
# SYNOPSIS
#   bench/matrix.sh [--rounds N] [--quick] [--warm] [CASE ...]
# DESCRIPTION
#   Runs bench/run.sh once per case (each case measures Postfix, then camel-mta, in the same
#   run on the same machine) and prints one table with both rates and the ratios:
#     relay-4k        10,000 msgs x 4 KB, 20 sessions, 1 recipient, relayed
#     relay-4k-10rcpt  5,000 msgs x 4 KB, 20 sessions, 10 recipients (one next hop)
#     local-4k        10,000 msgs x 4 KB, 20 sessions, delivered into a Maildir by virtual(8)
#                     (fsync before the rename on both), not relayed
#     relay-1m           500 msgs x 1 MB, 4 sessions
#     sessions-300    10,000 msgs x 4 KB, 300 concurrent sessions
#   The start-s column is the time from `start` to the SMTP port accepting (camel-mta: the
#   JVM, the broker and every route; Postfix: master and its daemons).
#   --quick divides every message count by 10 (a smoke run of the matrix, not a measurement).
#   --rounds N alternates the MTAs N times per case and reports medians.
#   --warm first sends and delivers a fifth of each case's message count through each MTA,
#   untimed (run.sh's --warmup): the steady state of a server that has been running, without
#   the JVM's just-in-time compilation of the first seconds. Without it the table includes
#   them, as a freshly started server would see them.
#   Writes the table to bench/out/matrix-<timestamp>.txt.
# DIAGNOSTICS
#   A case that fails shows "-" and FAILED with run.sh's reason; exit 1 if any case failed.
#   Needs root, as run.sh.

set -uo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=1
DIV=1
WARM=0
CASES=()
while (( $# > 0 )); do
    case $1 in
        --rounds) ROUNDS=$2; shift ;;
        --quick)  DIV=10 ;;
        --warm)   WARM=1 ;;
        -h|--help) sed -n '3,/^# DIAGNOSTICS/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "matrix: unknown option $1" >&2; exit 2 ;;
        *) CASES+=("$1") ;;
    esac
    shift
done
(( ${#CASES[@]} )) || CASES=(relay-4k relay-4k-10rcpt local-4k relay-1m sessions-300)

# settings CASE: the run.sh environment of a case
settings() {
    case $1 in
        relay-4k)        echo "MESSAGES=$((10000 / DIV)) SESSIONS=20 SIZE=4096 RCPTS=1" ;;
        relay-4k-10rcpt) echo "MESSAGES=$((5000 / DIV)) SESSIONS=20 SIZE=4096 RCPTS=10" ;;
        local-4k)        echo "MESSAGES=$((10000 / DIV)) SESSIONS=20 SIZE=4096 RCPTS=1 DELIVERY=maildir" ;;
        relay-1m)        echo "MESSAGES=$((500 / DIV)) SESSIONS=4 SIZE=1048576 RCPTS=1" ;;
        sessions-300)    echo "MESSAGES=$((10000 / DIV)) SESSIONS=300 SIZE=4096 RCPTS=1" ;;
        *) return 1 ;;
    esac
}

mkdir -p "$BENCH/out"
OUT=$BENCH/out/matrix-$(date +%Y%m%d-%H%M%S).txt
FAILED=0
{
    echo "camel-mta benchmark matrix, $(date '+%Y-%m-%d %H:%M:%S %z'), $(nproc) CPUs, rounds $ROUNDS, $( (( WARM )) && echo "warm-up a fifth of each case's messages" || echo "no warm-up")"
    printf '%-16s %9s %9s %7s %9s %9s %7s %8s %8s\n' case pf-acc/s cm-acc/s ratio pf-e2e/s cm-e2e/s ratio pf-start cm-start
} | tee "$OUT"
for c in "${CASES[@]}"; do
    env_line=$(settings "$c") || { echo "matrix: unknown case $c" >&2; exit 2; }
    log=$BENCH/out/matrix-$c.log
    # shellcheck disable=SC2086
    warmup=0
    (( WARM )) && warmup=$(( $(sed 's/.*MESSAGES=\([0-9]*\).*/\1/' <<<"$env_line") / 5 ))
    env $env_line ROUNDS=$ROUNDS WARMUP=$warmup "$BENCH/run.sh" >"$log" 2>&1 || FAILED=1
    pf=$(awk '$1 == "postfix" && $2 ~ /^[0-9.]+$/ { print $2, $3, $6 }' "$log")
    cm=$(awk '$1 == "camel-mta" && $2 ~ /^[0-9.]+$/ { print $2, $3, $6 }' "$log")
    read -r pa pe ps <<<"${pf:-- - -}"
    read -r ca ce cs <<<"${cm:-- - -}"
    r() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
    line=$(printf '%-16s %9s %9s %7s %9s %9s %7s %8s %8s' "$c" "$pa" "$ca" "$(r "$ca" "$pa")" "$pe" "$ce" "$(r "$ce" "$pe")" "$ps" "$cs")
    grep -q FAILED "$log" && line="$line   FAILED (see $log)"
    echo "$line" | tee -a "$OUT"
done
echo "matrix: written to $OUT" >&2
exit $FAILED
