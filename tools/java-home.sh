# Sourced, not run: the one place that chooses the JDK that ./fovea and .ci/run build, run and test
# Fovea on. The same fovea.jar trains 1.35–1.45× faster on Temurin 25 than on Java 17 on AVX2
# machines (../shared/VECTOR-API.md), so the newest JDK present is taken; Java 17 stays the floor
# and the bytecode is Java 17's (javac --release 17) whichever JDK builds it.
#
# fovea_java_home prints the JDK's home, or nothing when only `java` on PATH is left:
#   1. $JAVA_HOME when it holds bin/java: a choice made on purpose wins, even an older JDK;
#   2. else the newest JDK of major version >= 21 under $FOVEA_JVM_ROOT (default /usr/lib/jvm) that
#      has bin/javac (Maven builds with it) and the jdk.incubator.vector module (a JRE or a jlinked
#      image may lack it);
#   3. else nothing: the caller runs `java` from PATH and leaves JAVA_HOME as it is.
# Versions come from each JDK's `release` file, or from `bin/java -version` when it has none.

# The full version of the JDK at home $1 ("25.0.3", "17.0.15", "1.8.0_392"), or nothing.
fovea_jdk_version() {
  local line v=""
  if [ -f "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in JAVA_VERSION=*) v="${line#JAVA_VERSION=}"; v="${v//\"/}"; break;; esac
    done < "$1/release"
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v="$(fovea_java_bin_version "$1/bin/java")"
  fi
  printf '%s' "$v"
}

# The version that java binary $1 reports; its first line reads: openjdk version "25.0.3" 2026-04-21 LTS
fovea_java_bin_version() {
  "$1" -version 2>&1 | sed -n '1s/^[^"]*"\([^"]*\)".*/\1/p'
}

# The major version in version string $1: 25.0.3 -> 25, 21-ea -> 21, 1.8.0_392 -> 8; nothing if none.
fovea_version_major() {
  local v="${1#1.}"
  printf '%s' "${v%%[!0-9]*}"
}

# Whether the JDK at home $1 has the Vector API module: its release file's MODULES list, or, without
# one, what its java lists.
fovea_jdk_has_vector() {
  local line mods
  if [ -f "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        MODULES=*) mods="${line#MODULES=}"; mods="${mods//\"/}"
                   case " $mods " in *" jdk.incubator.vector "*) return 0;; *) return 1;; esac;;
      esac
    done < "$1/release"
  fi
  "$1/bin/java" --list-modules 2>/dev/null | grep -q '^jdk\.incubator\.vector@'
}

fovea_java_home() {
  if [ -n "${JAVA_HOME:-}" ]; then
    if [ -x "$JAVA_HOME/bin/java" ]; then
      printf '%s\n' "$JAVA_HOME"
      return 0
    fi
    echo "fovea: JAVA_HOME=$JAVA_HOME has no bin/java; ignoring it" >&2
  fi
  fovea_newest_jdk 21
}

# The home of the newest JDK under $FOVEA_JVM_ROOT (default /usr/lib/jvm) whose major version is
# at least $1 and at most $2 (no limit when absent), with bin/javac and the Vector API; nothing if
# there is none. .ci/run finds the floor, Java 17, with it too.
fovea_newest_jdk() {
  local root="${FOVEA_JVM_ROOT:-/usr/lib/jvm}" d v major best="" best_v=""
  for d in "$root"/*/; do
    d="${d%/}"
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" ] || continue
    v="$(fovea_jdk_version "$d")"
    major="$(fovea_version_major "$v")"
    [ -n "$major" ] && [ "$major" -ge "$1" ] && [ "$major" -le "${2:-999}" ] || continue
    fovea_jdk_has_vector "$d" || continue
    # Strictly newer only: of two names for one JDK (Debian's java-1.21.0-openjdk-amd64 link to
    # java-21-openjdk-amd64), the first in name order stays; the link is resolved below.
    if [ -z "$best" ] || { [ "$v" != "$best_v" ] \
        && [ "$(printf '%s\n%s\n' "$best_v" "$v" | sort -V | tail -n 1)" = "$v" ]; }; then
      best="$d"; best_v="$v"
    fi
  done
  [ -n "$best" ] || return 0
  printf '%s\n' "$(readlink -f "$best")"
}

# The major version of the JDK at home $1, or of `java` on PATH when $1 is empty; nothing if unknown.
fovea_java_major() {
  local bin
  if [ -n "$1" ]; then
    fovea_version_major "$(fovea_jdk_version "$1")"
    return 0
  fi
  bin="$(command -v java)" || return 0
  bin="$(readlink -f "$bin")"
  case "$bin" in
    */bin/java) fovea_version_major "$(fovea_jdk_version "${bin%/bin/java}")";;
    *) fovea_version_major "$(fovea_java_bin_version "$bin")";;
  esac
}

# The flags that keep a JDK of major $1 quiet about what the libraries Fovea uses do: from JDK 24 on
# the JVM warns when code calls restricted methods (System.loadLibrary: Hadoop, Netty) or
# sun.misc.Unsafe's memory access (Spark, Netty, the Guava in Maven 3.8), JEPs 472 and 498. Older
# JDKs refuse the second flag, so they get none. The POM's jdk24 profile passes the same to the
# test JVMs.
fovea_quiet_jvm_flags() {
  if [ -n "$1" ] && [ "$1" -ge 24 ]; then
    printf '%s' "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  fi
}
