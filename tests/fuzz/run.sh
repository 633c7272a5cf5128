#!/bin/sh
# Runs one libFuzzer harness as a test: run.sh BIN NAME SOURCE_DIR WORK_DIR SECONDS
# With SECONDS 0 it replays tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME once each
# and fails on the first crash. Otherwise it fuzzes for SECONDS from those inputs: new corpus
# entries go to a temporary folder under WORK_DIR (removed afterwards, so nothing grows in the
# repository), a crashing input is kept as WORK_DIR/crash-<sha1> (or leak-, timeout-, oom-)
# and the test fails. docs/testing.md says how such a file becomes a regression.
set -eu
bin=$1 name=$2 src=$3 work=$4 secs=$5
seeds="$src/tests/fuzz/corpus/$name"
regressions="$src/tests/fuzz/regressions/$name"
set -- "$seeds"
[ -d "$regressions" ] && set -- "$@" "$regressions"
dict="$src/tests/fuzz/$name.dict"
[ -f "$dict" ] && set -- "-dict=$dict" "$@"
mkdir -p "$work"
if [ "$secs" = 0 ]; then
	exec "$bin" -runs=0 "$@"
fi
new=$(mktemp -d "$work/corpus-XXXXXX")
trap 'rm -rf "$new"' EXIT
# -timeout: one input taking longer is a hang (a whole seed plan import takes well under it).
"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$new" "$@"
