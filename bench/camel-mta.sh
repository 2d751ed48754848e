# NAME
#   camel-mta.sh - a camel-mta instance for the benchmark
# SYNOPSIS
#   . bench/camel-mta.sh
#   camel_setup BASE LISTEN_PORT SINK_PORT; camel_start; camel_stop
# DESCRIPTION
#   Writes a configuration directory BASE/conf for bin/camel-mta: main.cf relays
#   everything to [127.0.0.1]:SINK_PORT and keeps the queue, data and mail log
#   under BASE; master.cf is the repository's conf/master.cf with its smtpd
#   listener moved to 127.0.0.1:LISTEN_PORT and every other inet service
#   commented out (so a running development instance cannot collide), or a
#   default master.cf when the repository has none. The repository's
#   lookup-tables/ is copied next to conf/, where relative table paths of the
#   built-in defaults resolve. Lines in the environment
#   variable CAMEL_MAIN_CF_EXTRA are appended to main.cf; the files of the directory
#   CAMEL_ROUTES (if set) become its user routes (conf/routes/).
#   camel_start runs "bin/camel-mta -c BASE/conf start", which returns when the
#   listener accepts; camel_stop runs "... stop".
# DIAGNOSTICS
#   camel_start returns non-zero, after printing camel-mta's output and the tail
#   of its mail log, when bin/camel-mta is missing, exits non-zero, takes longer
#   than CAMEL_START_TIMEOUT seconds (default 180), or does not listen afterwards.

CAMEL_MTA=${CAMEL_MTA:-$REPO/bin/camel-mta}
CAMEL_START_TIMEOUT=${CAMEL_START_TIMEOUT:-180}

camel_default_master_cf() {
    cat <<'MASTER'
# service        type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:2525   inet  n       -       n       -       -       smtpd
pickup           unix  n       -       n       60      1       pickup
cleanup          unix  n       -       n       -       0       cleanup
qmgr             unix  n       -       n       300     1       qmgr
smtp             unix  -       -       n       -       -       smtp
relay            unix  -       -       n       -       -       smtp
local            unix  -       n       n       -       -       local
bounce           unix  -       -       n       -       0       bounce
MASTER
}

# camel_rewrite_master_cf LISTEN: master.cf on stdin with the first smtpd inet
# service moved to LISTEN and the other inet services (and their -o lines) commented out
camel_rewrite_master_cf() {
    awk -v listen="$1" '
        BEGIN { keep = 1 }
        /^[ \t]*#/ || /^[ \t]*$/ { print; next }
        /^[ \t]/ { print (keep ? "" : "#bench# ") $0; next }
        $2 == "inet" && $8 == "smtpd" && !done {
            line = $0; sub(/^[^ \t]+/, listen, line); print line
            done = 1; keep = 1; next
        }
        $2 == "inet" { print "#bench# " $0; keep = 0; next }
        { print; keep = 1 }
        END {
            if (!done) printf "%s inet n - n - - smtpd\n", listen
        }'
}

camel_setup() {
    local base=$1 listen=$2 sink=$3
    CAMEL_BASE=$base
    CAMEL_CONF=$base/conf
    CAMEL_LISTEN=$listen
    CAMEL_LOG=$base/maillog
    mkdir -p "$CAMEL_CONF" "$base/spool" "$base/lib" || return 1
    # relative table paths resolve against the instance root (the directory holding conf/)
    [ -d "$REPO/lookup-tables" ] && cp -r "$REPO/lookup-tables" "$base/"
    # CAMEL_ROUTES=dir: user routes for conf/routes/ (e.g. an empty filter, to measure its cost)
    if [ -n "${CAMEL_ROUTES:-}" ]; then
        mkdir -p "$CAMEL_CONF/routes" && cp "$CAMEL_ROUTES"/* "$CAMEL_CONF/routes/" || return 1
    fi
    {
        echo "# main.cf written by bench/run.sh"
        echo "myhostname = bench.camel-mta.test"
        echo "mynetworks = 127.0.0.0/8"
        echo "relayhost = [127.0.0.1]:$sink"
        echo "maillog_file = $CAMEL_LOG"
        echo "queue_directory = $base/spool"
        echo "data_directory = $base/lib"
        # the same process limit the Postfix instance gets: enough smtpd sessions for the load
        local procs=$(( 3 * SESSIONS + 50 ))
        (( procs < 100 )) && procs=100
        echo "default_process_limit = $procs"
        if [ "${DELIVERY:-relay}" = maildir ]; then
            # DELIVERY=maildir: virtual(8) delivers relay.test's bench user into a Maildir
            echo "virtual_mailbox_domains = relay.test"
            echo "virtual_mailbox_base = $base/vmail"
            echo "virtual_mailbox_maps = properties:$CAMEL_CONF/vmailbox.properties"
            printf 'bench@relay.test = relay.test/bench/\n' >"$CAMEL_CONF/vmailbox.properties"
        fi
        [ -n "${CAMEL_MAIN_CF_EXTRA:-}" ] && printf '%s\n' "$CAMEL_MAIN_CF_EXTRA"
    } >"$CAMEL_CONF/main.cf"
    if [ -f "$REPO/conf/master.cf" ]; then
        camel_rewrite_master_cf "127.0.0.1:$listen" <"$REPO/conf/master.cf"
    else
        camel_default_master_cf | camel_rewrite_master_cf "127.0.0.1:$listen"
    fi >"$CAMEL_CONF/master.cf"
}

camel_start() {
    if [ ! -x "$CAMEL_MTA" ]; then
        note "camel-mta: $CAMEL_MTA not found or not executable (set CAMEL_MTA=...)"
        return 1
    fi
    port_free "$CAMEL_LISTEN" || return 1
    local rc=0
    timeout "$CAMEL_START_TIMEOUT" "$CAMEL_MTA" -c "$CAMEL_CONF" start \
        >"$CAMEL_BASE/start.out" 2>&1 </dev/null || rc=$?
    if (( rc != 0 )); then
        (( rc == 124 )) && note "camel-mta: start did not return within ${CAMEL_START_TIMEOUT}s"
        note "camel-mta: '$CAMEL_MTA -c $CAMEL_CONF start' failed (exit $rc):"
        tail -40 "$CAMEL_BASE/start.out" >&2
        [ -f "$CAMEL_LOG" ] && { note "camel-mta: mail log tail:"; tail -10 "$CAMEL_LOG" >&2; }
        CAMEL_STARTED=maybe
        return 1
    fi
    CAMEL_STARTED=yes
    if ! wait_port "$CAMEL_LISTEN" 30; then
        note "camel-mta: start returned but nothing listens on 127.0.0.1:$CAMEL_LISTEN"
        tail -20 "$CAMEL_BASE/start.out" >&2
        return 1
    fi
}

# camel_stop: stop what camel_start started; after a failed start, try quietly
camel_stop() {
    local started=${CAMEL_STARTED:-}
    [ -n "$started" ] || return 0
    CAMEL_STARTED=
    if ! timeout 120 "$CAMEL_MTA" -c "$CAMEL_CONF" stop >"$CAMEL_BASE/stop.out" 2>&1 </dev/null \
            && [ "$started" = yes ]; then
        note "camel-mta: stop failed:"
        tail -10 "$CAMEL_BASE/stop.out" >&2
    fi
}
