#!/usr/bin/env bash
# Runs the demo (examples/README.md, "Run the demo") from a clone of the repository: builds and installs the
# modules it needs, then runs it. Needs JDK 17+, Maven 3.8+ and Node.js 18+ (kinesis-mock, which the demo installs
# with npm into ~/.cache/shardwise on first use, and says so).
#
# The build runs without -q, but only its module lines reach the terminal, each with the time since the start
# (the whole Maven output goes to a log file, printed in part if the build fails): a first build takes minutes,
# and a silent one looks hung. Arguments go to both Maven runs, e.g. ./examples/demo.sh -Ddemo.orders=1000
set -euo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp "${TMPDIR:-/tmp}/shardwise-demo-build.XXXXXX")"
echo "demo: building and installing the modules the demo needs (mvn install -DskipTests -pl examples -am);"
echo "demo: a few minutes the first time; Maven's output: $log"
start=$SECONDS
module_line='^\[INFO\] Building (.+) [0-9][^ ]* +\[([0-9]+/[0-9]+)\]$'
if ! mvn -B -ntp install -DskipTests -pl examples -am "$@" 2>&1 | tee "$log" | while IFS= read -r line; do
        if [[ $line =~ $module_line ]]; then
            printf 'demo: %5ds  building %s [%s]\n' $((SECONDS - start)) "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        fi
    done; then
    echo "demo: the build failed after $((SECONDS - start)) s; the end of its output ($log):" >&2
    tail -n 60 "$log" >&2
    exit 1
fi
echo "demo: built in $((SECONDS - start)) s; starting the demo (mvn -q -pl examples exec:java)"
exec mvn -B -ntp -q -pl examples exec:java "$@"
