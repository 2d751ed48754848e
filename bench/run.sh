#!/usr/bin/env bash
# NAME
#   run.sh - relay throughput of camel-mta against Postfix
# SYNOPSIS
#   bench/run.sh [--only postfix|camel-mta] [--messages N] [--sessions N]
#                [--size BYTES] [--rcpts N] [--warmup N] [--timeout S]
#                [--no-reuse] [--keep]
#   MESSAGES=500 SESSIONS=5 bench/run.sh
# DESCRIPTION
#   For each MTA in turn (Postfix first, then camel-mta; never both at once):
#   start an smtp-sink, start the MTA relaying to it, send the workload with
#   smtp-source, and time
#     accept/s      MESSAGES / (end of smtp-source - start of smtp-source)
#     end-to-end/s  MESSAGES / (sink has every message - start of smtp-source)
#     start-s       "MTA start" until it returns and its port accepts
#   The timed run begins once the MTA's mail log says "daemon started" (camel-mta
#   logs it after its Hawtio console is up, which deploys after the port accepts).
#   Then stop both. Prints a table with the ratio camel-mta/Postfix and writes it
#   to bench/out/<timestamp>.txt. Installs postfix (smtp-source, smtp-sink) with
#   apt-get when missing. Postfix runs as a private instance in a temporary
#   directory; the system's Postfix configuration is not used.
#   Settings (flag or environment variable, default):
#     --messages   MESSAGES   10000  messages in the timed run
#     --sessions   SESSIONS   20     parallel SMTP sessions of smtp-source
#     --size       SIZE       4096   body bytes per message (headers excluded)
#     --rcpts      RCPTS      1      recipients per message
#     --warmup     WARMUP     0      messages sent and delivered before timing
#     --rounds     ROUNDS     1      alternate the MTAs ROUNDS times, report medians
#     --timeout    TIMEOUT    600    bound in seconds on each timed run
#     --no-reuse   REUSE=0           one connection per message (default: smtp-source -d,
#                                    each session sends its messages over one connection)
#     --keep       KEEP=1            keep the temporary directory (logs, spools)
#     --only       ONLY       all    postfix | camel-mta | all
#     BENCH_TMP /tmp (parent of the temporary directory: spools live there)
#     POSTFIX_PORT 2625, POSTFIX_SINK_PORT 2626, CAMEL_PORT 2628, CAMEL_SINK_PORT 2627
#     CAMEL_MTA <repo>/bin/camel-mta, CAMEL_START_TIMEOUT 180, CAMEL_MAIN_CF_EXTRA "",
#     CAMEL_ROUTES "" (a directory of user routes for camel-mta's conf/routes/)
# DIAGNOSTICS
#   Exits 0 when every requested MTA was measured, 1 when one failed (the table
#   shows why; the temporary directory is kept for its logs), 2 on bad usage.
#   Needs root (Postfix's master runs as root; apt-get).

set -uo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)

MESSAGES=${MESSAGES:-10000}
SESSIONS=${SESSIONS:-20}
SIZE=${SIZE:-4096}
RCPTS=${RCPTS:-1}
WARMUP=${WARMUP:-0}
ROUNDS=${ROUNDS:-1}
TIMEOUT=${TIMEOUT:-600}
REUSE=${REUSE:-1}
KEEP=${KEEP:-0}
ONLY=${ONLY:-all}
BENCH_TMP=${BENCH_TMP:-/tmp}
POSTFIX_PORT=${POSTFIX_PORT:-2625}
POSTFIX_SINK_PORT=${POSTFIX_SINK_PORT:-2626}
CAMEL_PORT=${CAMEL_PORT:-2628}
CAMEL_SINK_PORT=${CAMEL_SINK_PORT:-2627}

usage() { sed -n '3,/^# DIAGNOSTICS/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while (( $# > 0 )); do
    case $1 in
        --only)     ONLY=$2; shift ;;
        --messages) MESSAGES=$2; shift ;;
        --sessions) SESSIONS=$2; shift ;;
        --size)     SIZE=$2; shift ;;
        --rcpts)    RCPTS=$2; shift ;;
        --warmup)   WARMUP=$2; shift ;;
        --rounds)   ROUNDS=$2; shift ;;
        --timeout)  TIMEOUT=$2; shift ;;
        --no-reuse) REUSE=0 ;;
        --keep)     KEEP=1 ;;
        -h|--help)  usage; exit 0 ;;
        *)          echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case $ONLY in
    postfix)   MTAS=(postfix) ;;
    camel-mta) MTAS=(camel-mta) ;;
    all|both)  MTAS=(postfix camel-mta) ;;
    *)         echo "bench: --only takes postfix, camel-mta or all" >&2; exit 2 ;;
esac
for v in MESSAGES SESSIONS SIZE RCPTS WARMUP TIMEOUT ROUNDS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: $v must be a number" >&2; exit 2; }
done
(( MESSAGES > 0 && SESSIONS > 0 && RCPTS > 0 && ROUNDS > 0 )) || { echo "bench: MESSAGES, SESSIONS, RCPTS, ROUNDS must be > 0" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then
    echo "bench: run as root (Postfix's master must start as root)" >&2
    exit 2
fi

. "$BENCH/lib.sh"
. "$BENCH/install.sh"
. "$BENCH/postfix.sh"
. "$BENCH/camel-mta.sh"

bench_install || exit 1

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
BASE=$(mktemp -d "$BENCH_TMP/camel-mta-bench.XXXXXX") || exit 1
chmod 755 "$BASE"
FAILED=0

cleanup() {
    camel_stop
    postfix_stop
    local d
    for d in "$BASE"/*/; do sink_stop "$d"; done
    if [ "$KEEP" = 1 ] || (( FAILED )); then
        note "kept $BASE (logs: */maillog, */source.out, */sink.out)"
    else
        rm -rf "$BASE"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_postfix KEY: one measurement of Postfix, results under KEY; stops what it started
run_postfix() {
    local key=$1 dir=$BASE/$1 rc=1 t0
    if sink_start "$dir" "$POSTFIX_SINK_PORT" $(( WARMUP + MESSAGES )) \
            && postfix_setup "$dir" "$POSTFIX_PORT" "$POSTFIX_SINK_PORT" \
            && { t0=$(now); postfix_start; }; then
        START_SECS[$key]=$(elapsed "$t0" "$(now)")
        wait_started "$PF_LOG" 60
        measure "$key" "$POSTFIX_PORT" "$dir"
        rc=$?
    fi
    postfix_stop
    sink_stop "$dir"
    return $rc
}

# run_camel KEY: one measurement of camel-mta, results under KEY; stops what it started
run_camel() {
    local key=$1 dir=$BASE/$1 rc=1 t0
    if sink_start "$dir" "$CAMEL_SINK_PORT" $(( WARMUP + MESSAGES )) \
            && camel_setup "$dir" "$CAMEL_PORT" "$CAMEL_SINK_PORT"; then
        t0=$(now)
        if camel_start; then
            START_SECS[$key]=$(elapsed "$t0" "$(now)")
            wait_started "$CAMEL_LOG" 60
            measure "$key" "$CAMEL_PORT" "$dir"
            rc=$?
        else
            FAILURE[$key]="did not start (see above; $dir/start.out)"
        fi
    fi
    camel_stop
    sink_stop "$dir"
    return $rc
}

# key MTA ROUND: the name a round's results are stored under
key() { if (( ROUNDS == 1 )); then echo "$1"; else echo "$1-$2"; fi; }

# median: the median of the numbers on stdin, "-" when there are none
median() { sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
    else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for (( round = 1; round <= ROUNDS; round++ )); do
    for mta in "${MTAS[@]}"; do
        k=$(key "$mta" "$round")
        case $mta in
            postfix)   run_postfix "$k" ;;
            camel-mta) run_camel "$k" ;;
        esac || { FAILED=1; : "${FAILURE[$k]:=setup failed (see above)}"; }
    done
done
if (( ROUNDS > 1 )); then
    for mta in "${MTAS[@]}"; do
        ok=0
        for (( round = 1; round <= ROUNDS; round++ )); do
            k=$(key "$mta" "$round")
            [ -n "${E2E_RATE[$k]:-}" ] && ok=$(( ok + 1 ))
            [ -n "${FAILURE[$k]:-}" ] && FAILURE[$mta]="${FAILURE[$mta]:-}round $round: ${FAILURE[$k]}; "
        done
        [ -n "${FAILURE[$mta]:-}" ] && FAILURE[$mta]=${FAILURE[$mta]%; }
        if (( ok == ROUNDS )); then
            ACCEPT_RATE[$mta]=$(for (( r = 1; r <= ROUNDS; r++ )); do echo "${ACCEPT_RATE[$mta-$r]}"; done | median)
            E2E_RATE[$mta]=$(for (( r = 1; r <= ROUNDS; r++ )); do echo "${E2E_RATE[$mta-$r]}"; done | median)
            START_SECS[$mta]=$(for (( r = 1; r <= ROUNDS; r++ )); do echo "${START_SECS[$mta-$r]}"; done | median)
            ACCEPT_SECS[$mta]=median
            E2E_SECS[$mta]=median
        fi
    done
fi

# ratio A B: A / B with two decimals, "-" when either is missing
ratio() {
    awk -v a="${1:--}" -v b="${2:--}" 'BEGIN {
        if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'
}

report() {
    local reuse=reuse
    [ "$REUSE" = 1 ] || reuse="new connection per message"
    echo "camel-mta relay benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
    echo "host: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)," \
         "Linux $(uname -r), Postfix $(postfix_version), spools on $(findmnt -n -o FSTYPE -T "$BASE" 2>/dev/null || stat -f -c %T "$BASE") ($BENCH_TMP)"
    echo "load average before the run: $LOAD_BEFORE (other work on the machine skews the figures)"
    echo "workload: $MESSAGES msgs x $SIZE B, $SESSIONS sessions, $RCPTS rcpt, relay, $reuse" \
         "(warm-up $WARMUP, rounds $ROUNDS)"
    printf '%-12s %10s %14s %10s %14s %9s\n' mta accept/s end-to-end/s accept-s end-to-end-s start-s
    local m rows=() r
    if (( ROUNDS > 1 )); then
        for (( r = 1; r <= ROUNDS; r++ )); do
            for m in "${MTAS[@]}"; do rows+=("$m-$r"); done
        done
    fi
    rows+=("${MTAS[@]}")
    for m in "${rows[@]}"; do
        printf '%-12s %10s %14s %10s %14s %9s' "$m" "${ACCEPT_RATE[$m]:--}" "${E2E_RATE[$m]:--}" \
            "${ACCEPT_SECS[$m]:--}" "${E2E_SECS[$m]:--}" "${START_SECS[$m]:--}"
        [ -n "${FAILURE[$m]:-}" ] && printf '   FAILED: %s' "${FAILURE[$m]}"
        echo
    done
    if (( ${#MTAS[@]} == 2 )); then
        printf '%-12s %10s %14s   (camel-mta / postfix)\n' ratio \
            "$(ratio "${ACCEPT_RATE[camel-mta]:-}" "${ACCEPT_RATE[postfix]:-}")" \
            "$(ratio "${E2E_RATE[camel-mta]:-}" "${E2E_RATE[postfix]:-}")"
    fi
}

mkdir -p "$BENCH/out"
OUT=$BENCH/out/$(date +%Y%m%d-%H%M%S).txt
echo
report | tee "$OUT"
note "written to $OUT"
exit $FAILED
