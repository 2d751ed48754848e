# NAME
#   lib.sh - clocks, ports, smtp-sink and smtp-source for the benchmark
# SYNOPSIS
#   . bench/lib.sh
#   sink_start DIR PORT COUNT; measure NAME MTA_PORT DIR; sink_stop DIR
# DESCRIPTION
#   Sourced by run.sh. A measurement runs smtp-source against an MTA that relays
#   to an smtp-sink started with -M COUNT, so the sink exits when it has received
#   COUNT messages; a wrapper writes the sink's exit time to DIR/sink.done.
#   measure() records, from smtp-source's start:
#     accept     until smtp-source ends (every message answered 250 by the MTA)
#     end-to-end until the sink has received every message
#   and stores messages/s in ACCEPT_RATE[NAME] and E2E_RATE[NAME].
#   Waits are bounded by TIMEOUT seconds.
# DIAGNOSTICS
#   measure() returns non-zero, with the reason in FAILURE[NAME], when
#   smtp-source fails or times out, or when the sink does not receive every
#   message within TIMEOUT; the tail of smtp-source's output goes to stderr.

declare -A ACCEPT_RATE E2E_RATE ACCEPT_SECS E2E_SECS START_SECS FAILURE

note() { echo "bench: $*" >&2; }

now() { date +%s.%N; }

# elapsed START END: seconds between two now() values
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# rate COUNT SECONDS: messages per second, one decimal
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print "-" }'; }

# port_listening PORT: true when something listens on 127.0.0.1:PORT
port_listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# wait_port PORT SECONDS: wait until PORT listens
wait_port() {
    local port=$1 deadline=$(( SECONDS + $2 ))
    until port_listening "$port"; do
        (( SECONDS < deadline )) || return 1
        sleep 0.1
    done
}

# wait_started LOG SECONDS: wait until the mail log LOG has master's "daemon started" line;
# after that the MTA has finished starting (camel-mta: also its Hawtio console, which
# deploys after the SMTP port accepts), so start-up work stays out of the timed run
wait_started() {
    local log=$1 deadline=$(( SECONDS + $2 ))
    until grep -s 'daemon started' "$log" >/dev/null; do
        if (( SECONDS >= deadline )); then
            note "no 'daemon started' in $log after $2 s; timing anyway"
            return 0
        fi
        sleep 0.1
    done
}

# port_free PORT: fail with a message when PORT is taken
port_free() {
    if port_listening "$1"; then
        note "port 127.0.0.1:$1 is already in use; choose another (see --help)"
        return 1
    fi
}

# maildir_of DIR: the Maildir the bench recipient's mail goes to with DELIVERY=maildir
maildir_of() { echo "$1/vmail/relay.test/bench"; }

# maildir_count DIR: messages delivered into that Maildir so far
maildir_count() {
    local n
    n=$(find "$(maildir_of "$1")/new" -maxdepth 1 -type f 2>/dev/null | wc -l)
    echo "${n:-0}"
}

# maildir_watch DIR COUNT: like the sink's exit, write DIR/sink.done once COUNT messages are delivered
maildir_watch() {
    local dir=$1 count=$2
    mkdir -p "$dir/vmail/relay.test" && chmod -R 777 "$dir/vmail" || return 1
    rm -f "$dir/sink.done" "$dir/sink.pid"
    (
        until (( $(maildir_count "$dir") >= count )); do sleep 0.2; done
        now >"$dir/sink.done"
    ) &
    echo $! >"$dir/sink.pid"
}

# sink_start DIR PORT COUNT: smtp-sink on 127.0.0.1:PORT that exits after COUNT messages
# (DELIVERY=maildir: a watcher of the bench recipient's Maildir instead)
sink_start() {
    local dir=$1 port=$2 count=$3 user=()
    [ "${DELIVERY:-relay}" = maildir ] && { maildir_watch "$dir" "$count"; return; }
    [ "$(id -u)" = 0 ] && user=(-u "${SINK_USER:-nobody}")
    mkdir -p "$dir"
    rm -f "$dir/sink.done" "$dir/sink.pid"
    port_free "$port" || return 1
    (
        smtp-sink -c "${user[@]}" -M "$count" "127.0.0.1:$port" 1000 \
            >"$dir/sink.out" 2>"$dir/sink.err" &
        echo $! >"$dir/sink.pid"
        wait $!
        now >"$dir/sink.done"
    ) &
    if ! wait_port "$port" 10; then
        note "smtp-sink did not start on port $port: $(cat "$dir/sink.err" 2>/dev/null)"
        return 1
    fi
}

# sink_count DIR: messages the sink has received so far
sink_count() {
    local n
    [ "${DELIVERY:-relay}" = maildir ] && { maildir_count "$1"; return; }
    n=$(tr '\r' '\n' <"$1/sink.out" 2>/dev/null | grep -o 'mesg=[0-9]*' | tail -1 | cut -d= -f2)
    echo "${n:-0}"
}

# sink_stop DIR: stop the sink if it still runs, and wait (bounded) until it has gone
sink_stop() {
    local pid deadline=$(( SECONDS + 10 ))
    pid=$(cat "$1/sink.pid" 2>/dev/null) || return 0
    [ -s "$1/sink.done" ] && return 0
    kill "$pid" 2>/dev/null
    until [ -s "$1/sink.done" ] || (( SECONDS >= deadline )); do sleep 0.05; done
    return 0
}

# wait_sink DIR COUNT DEADLINE: wait until the sink exited (COUNT received) or SECONDS >= DEADLINE
wait_sink() {
    local dir=$1 count=$2 deadline=$3
    until [ -s "$dir/sink.done" ]; do
        (( SECONDS < deadline )) || return 1
        sleep 0.02
    done
}

# source_run PORT COUNT OUTFILE: smtp-source with the bench workload, bounded by TIMEOUT
source_run() {
    local port=$1 count=$2 out=$3 opts
    opts=(-s "$SESSIONS" -m "$count" -l "$SIZE" -r "$RCPTS"
          -f "bench@client.test" -t "bench@relay.test" -M client.test)
    [ "$REUSE" = 1 ] && opts+=(-d)
    timeout --foreground "$TIMEOUT" smtp-source "${opts[@]}" "127.0.0.1:$port" >"$out" 2>&1
}

# measure NAME MTA_PORT DIR: the timed run (after an optional warm-up)
measure() {
    local name=$1 port=$2 dir=$3 t0 t1 t2 deadline got
    if (( WARMUP > 0 )); then
        note "$name: warm-up, $WARMUP messages"
        source_run "$port" "$WARMUP" "$dir/warmup.out"
        case $? in
            0) ;;
            130|143) note "$name: interrupted"; exit 130 ;;
            *) FAILURE[$name]="warm-up: smtp-source failed: $(tail -1 "$dir/warmup.out")"
               return 1 ;;
        esac
        deadline=$(( SECONDS + TIMEOUT ))
        until (( $(sink_count "$dir") >= WARMUP )); do
            if (( SECONDS >= deadline )); then
                FAILURE[$name]="warm-up: sink received $(sink_count "$dir") of $WARMUP"
                return 1
            fi
            sleep 0.05
        done
    fi
    sync
    note "$name: $MESSAGES messages x $SIZE B, $SESSIONS sessions"
    deadline=$(( SECONDS + TIMEOUT ))
    t0=$(now)
    source_run "$port" "$MESSAGES" "$dir/source.out"
    case $? in
        0) ;;
        130|143) note "$name: interrupted"; exit 130 ;;
        *)
        FAILURE[$name]="smtp-source failed or timed out: $(tail -c 300 "$dir/source.out" | tr '\r\n' '  ')"
        note "$name: ${FAILURE[$name]}"
        return 1 ;;
    esac
    t1=$(now)
    if ! wait_sink "$dir" "$(( WARMUP + MESSAGES ))" "$deadline"; then
        got=$(( $(sink_count "$dir") - WARMUP ))
        FAILURE[$name]="sink received $got of $MESSAGES within ${TIMEOUT}s"
        ACCEPT_SECS[$name]=$(elapsed "$t0" "$t1")
        ACCEPT_RATE[$name]=$(rate "$MESSAGES" "${ACCEPT_SECS[$name]}")
        note "$name: ${FAILURE[$name]}"
        return 1
    fi
    got=$(sink_count "$dir")
    if (( got < WARMUP + MESSAGES )) && [ "${DELIVERY:-relay}" != maildir ]; then
        FAILURE[$name]="smtp-sink exited after $got of $(( WARMUP + MESSAGES )) messages: $(tail -1 "$dir/sink.err")"
        note "$name: ${FAILURE[$name]}"
        return 1
    fi
    t2=$(cat "$dir/sink.done")
    ACCEPT_SECS[$name]=$(elapsed "$t0" "$t1")
    E2E_SECS[$name]=$(elapsed "$t0" "$t2")
    ACCEPT_RATE[$name]=$(rate "$MESSAGES" "${ACCEPT_SECS[$name]}")
    E2E_RATE[$name]=$(rate "$MESSAGES" "${E2E_SECS[$name]}")
    note "$name: accepted in ${ACCEPT_SECS[$name]} s, delivered in ${E2E_SECS[$name]} s"
}
