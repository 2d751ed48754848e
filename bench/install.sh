#!/usr/bin/env bash
# NAME
#   install.sh - install Postfix and its test tools for the benchmark
# SYNOPSIS
#   bench/install.sh
# DESCRIPTION
#   Installs Debian's postfix package (which ships smtp-source and smtp-sink)
#   non-interactively, with debconf's "No configuration" so the system's
#   /etc/postfix/main.cf is not created and no system Postfix is configured.
#   Does nothing when postfix, smtp-source and smtp-sink are already there.
#   Also sourced by run.sh (function bench_install).
# DIAGNOSTICS
#   Exits non-zero when not run as root or when apt-get fails.

bench_install() {
    if command -v smtp-source >/dev/null && command -v smtp-sink >/dev/null \
            && [ -x /usr/sbin/postfix ]; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "bench: installing postfix needs root" >&2
        return 1
    fi
    echo "bench: installing postfix (smtp-source, smtp-sink) with apt-get" >&2
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -q >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix >&2 || return 1
    # grep reads the whole list: with pipefail, grep -q's early exit would
    # kill dpkg with SIGPIPE and fail the check although the file is there.
    if ! dpkg -L postfix | grep '/smtp-source$' >/dev/null; then
        echo "bench: the postfix package has no smtp-source" >&2
        return 1
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    bench_install
fi
