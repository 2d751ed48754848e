# NAME
#   postfix.sh - a private Postfix instance for the benchmark
# SYNOPSIS
#   . bench/postfix.sh
#   postfix_setup BASE LISTEN_PORT SINK_PORT; postfix_start; postfix_stop
# DESCRIPTION
#   Builds a Postfix instance under BASE from the templates in bench/postfix/:
#   BASE/etc (config_directory: main.cf, master.cf), BASE/spool (queue_directory),
#   BASE/lib (data_directory), BASE/maillog (maillog_file via postlogd).
#   smtpd listens only on 127.0.0.1:LISTEN_PORT; all mail is relayed to
#   [127.0.0.1]:SINK_PORT. The system's /etc/postfix is neither read nor changed
#   (apart from Postfix's own meta files, postfix-files and postfix-script).
#   "postfix -c BASE/etc check" creates the queue directories with Postfix's
#   ownership and modes. Postfix's durability is left at its default: cleanup
#   fsyncs each queue file before smtpd answers 250.
# DIAGNOSTICS
#   Each function returns non-zero and prints Postfix's own message (postfix(1)
#   writes to the terminal or syslog only, so it is run under script(1)).

PF_TEMPLATES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postfix"

# pf_cmd ARGS...: run "postfix -c $PF_CONF ARGS" and show what it says
pf_cmd() {
    script -qec "postfix -c $PF_CONF $*" /dev/null </dev/null | tr -d '\r' >&2
    return "${PIPESTATUS[0]}"
}

postfix_setup() {
    local base=$1 listen=$2 sink=$3 procs
    PF_BASE=$base
    PF_CONF=$base/etc
    PF_LISTEN=$listen
    PF_LOG=$base/maillog
    procs=$(( SESSIONS * 3 + 50 ))
    (( procs < 100 )) && procs=100
    mkdir -p "$PF_CONF" "$base/spool" || return 1
    chmod 755 "$base"
    sed -e "s|@QUEUE_DIR@|$base/spool|" \
        -e "s|@DATA_DIR@|$base/lib|" \
        -e "s|@SINK_PORT@|$sink|" \
        -e "s|@PROCESS_LIMIT@|$procs|" \
        -e "s|@LOG_FILE@|$PF_LOG|" \
        -e "s|@BASE_DIR@|$base|" \
        "$PF_TEMPLATES/main.cf.in" >"$PF_CONF/main.cf" || return 1
    if [ "${DELIVERY:-relay}" = maildir ]; then
        # DELIVERY=maildir: virtual(8) delivers relay.test's bench user into a Maildir
        echo "bench@relay.test relay.test/bench/" >"$PF_CONF/vmailbox"
        {
            echo "virtual_mailbox_domains = relay.test"
            echo "virtual_mailbox_base = $base/vmail"
            echo "virtual_mailbox_maps = texthash:$PF_CONF/vmailbox"
            echo "virtual_uid_maps = static:65534"
            echo "virtual_gid_maps = static:65534"
            echo "virtual_minimum_uid = 100"
        } >>"$PF_CONF/main.cf"
    fi
    sed -e "s|^@LISTEN@ *|$(printf '%-18s' "127.0.0.1:$listen")|" \
        "$PF_TEMPLATES/master.cf.in" >"$PF_CONF/master.cf" || return 1
    pf_cmd check || { note "postfix check failed for $PF_CONF"; return 1; }
}

postfix_start() {
    port_free "$PF_LISTEN" || return 1
    pf_cmd start || { note "postfix start failed; log: $PF_LOG"; return 1; }
    if ! wait_port "$PF_LISTEN" 30; then
        note "postfix does not listen on 127.0.0.1:$PF_LISTEN; log tail:"
        tail -5 "$PF_LOG" >&2
        return 1
    fi
}

postfix_running() { pf_cmd status >/dev/null 2>&1; }

postfix_stop() {
    [ -n "${PF_CONF:-}" ] && [ -f "$PF_CONF/main.cf" ] || return 0
    postfix_running || return 0
    pf_cmd stop
    local deadline=$(( SECONDS + 30 ))
    while postfix_running; do
        if (( SECONDS >= deadline )); then
            pf_cmd abort
            break
        fi
        sleep 0.2
    done
}

# postfix_version: mail_version of the installed Postfix
postfix_version() { postconf -d -h mail_version 2>/dev/null; }
