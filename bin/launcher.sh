# Shared by the bin/ commands: find the installation, build it once if needed, run a class.
# Sourced, not run. Sets MAIL_CONFIG to the installation's conf/ unless -c or MAIL_CONFIG says otherwise.
CAMEL_MTA_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export MAIL_CONFIG="${MAIL_CONFIG:-$CAMEL_MTA_HOME/conf}"
# The build to run: target/ unless CAMEL_MTA_BUILD names another (the tests point it at theirs).
CAMEL_MTA_BUILD="${CAMEL_MTA_BUILD:-$CAMEL_MTA_HOME/target}"

camel_mta_build() {
  if [ ! -f "$CAMEL_MTA_BUILD/camel-mta.jar" ] || [ ! -d "$CAMEL_MTA_BUILD/lib" ]; then
    echo "camel-mta: building (first use): mvn package" >&2
    (cd "$CAMEL_MTA_HOME" && mvn -q -B -DskipTests -DbuildDir="$CAMEL_MTA_BUILD" package) >&2 || {
      echo "camel-mta: fatal: the build failed; run 'mvn package' in $CAMEL_MTA_HOME to see why" >&2
      exit 1
    }
  fi
}

camel_mta_run() {
  local class=$1; shift
  camel_mta_build
  # C1 only, and huge pages for the heap where the kernel gives them on request
  # (master.Main.serverJvmOptions says why); CAMEL_MTA_JAVA_OPTS comes after and wins.
  local thp=
  case $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null) in
    *"[madvise]"*) thp=-XX:+UseTransparentHugePages ;;
  esac
  exec java -XX:TieredStopAtLevel=1 $thp ${CAMEL_MTA_JAVA_OPTS:-} -cp "$CAMEL_MTA_BUILD/camel-mta.jar:$CAMEL_MTA_BUILD/lib/*" "$class" "$@"
}
