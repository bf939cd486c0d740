# Sourced by ./ferry and the scripts: sets JAVA_HOME to a JDK >= 21.
# JAVA_HOME wins when it is one; otherwise the newest JDK under /usr/lib/jvm.
ferry_java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

ferry_find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(ferry_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then return 0; fi
  fi
  local best="" best_v=0 dir v
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/java" ] && [ -x "$dir/bin/javac" ] || continue
    v=$(ferry_java_major "$dir")
    if [ -n "$v" ] && [ "$v" -gt "$best_v" ]; then best=$dir; best_v=$v; fi
  done
  if [ "$best_v" -lt 21 ]; then
    echo "ferry: needs a JDK 21 or newer; set JAVA_HOME or install one under /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME=$best
}

# Maven 3.8's Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every run.
ferry_maven_opts() {
  local v; v=$(ferry_java_major "$JAVA_HOME")
  if [ "$v" -ge 24 ]; then echo "--sun-misc-unsafe-memory-access=allow"; fi
}
