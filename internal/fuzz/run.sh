#!/usr/bin/env bash
# run.sh runs the module's native fuzz targets one after another, each to a
# budget, and prints a table: package, target, recorded seeds, baseline
# corpus, executions, executions per second, new interesting inputs (new
# coverage found by this run), corpus total, crashes, wall time.
#
# Usage (from anywhere in the repository):
#
#   internal/fuzz/run.sh [-execs N | -time D] [-fresh] [-logs DIR] [REGEXP]
#
#   -execs N   stop each target after N executions (default 1000000); with
#              one worker (-parallel 1, always used here) that is the total
#   -time D    stop each target after the duration D (e.g. 90s, 5m) instead
#   -fresh     first delete the target's cached corpus in
#              $(go env GOCACHE)/fuzz, so "new" counts what this run finds
#              beyond the committed seeds (by default the cache is kept, as
#              go test -fuzz does, and runs build on each other)
#   -logs DIR  keep each target's full go test output in DIR (default: a
#              new directory under /tmp)
#   REGEXP     run only the targets whose "package/FuzzName" matches
#              (grep -E), e.g. 'rtnl/' or 'FuzzDecode(Link|Route)$'
#
# Examples:
#
#   internal/fuzz/run.sh                         # every target, 1,000,000 execs each
#   internal/fuzz/run.sh -time 30s genl/ethtool  # the ethtool targets, 30 s each
#
# Each target runs as
#
#   go test -run '^$' -fuzz '^FuzzX$' -fuzztime 1000000x -parallel 1 -timeout 0 ./pkg
#
# one at a time (fuzzing uses all the CPU it gets; on a shared machine run
# nothing else). The seed corpus is testdata/fuzz/FuzzX of each package
# (kernel-* files are real kernel replies, recorded by TestRecordFuzzSeeds
# in this directory) plus the target's f.Add seeds; new interesting inputs
# go to the cache, not to testdata. A crash makes go test write the input
# to testdata/fuzz/FuzzX/<hash>: the script names that file, and exits
# with status 1 when any target crashed or failed to run. A crasher is a
# bug to report and fix, not a seed to commit as is.
set -euo pipefail

execs=1000000
fuzztime=""
fresh=0
logs=""
pattern=""
while [ $# -gt 0 ]; do
	case "$1" in
	-execs) execs=$2; fuzztime=""; shift 2 ;;
	-time) fuzztime=$2; shift 2 ;;
	-fresh) fresh=1; shift ;;
	-logs) logs=$2; shift 2 ;;
	-h | -help | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown flag $1 (see -help)" >&2; exit 2 ;;
	*) pattern=$1; shift ;;
	esac
done
budget=${fuzztime:-${execs}x}

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "$logs" ]; then
	logs=$(mktemp -d /tmp/nlkit-fuzz.XXXXXX)
fi
mkdir -p "$logs"
cache=$(go env GOCACHE)/fuzz

# Every target, as "pkgdir FuzzName", sorted.
mapfile -t targets < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's|^\./(.+)/[^/]+:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*|\1 \2|' | sort)
if [ -n "$pattern" ]; then
	mapfile -t targets < <(for t in "${targets[@]}"; do
		if grep -qE -- "$pattern" <<<"${t% *}/${t#* }"; then echo "$t"; fi
	done)
fi
if [ ${#targets[@]} -eq 0 ]; then
	echo "run.sh: no fuzz target matches ${pattern:-anything}" >&2
	exit 2
fi

printf 'fuzzing %d targets, budget %s each, one worker; logs in %s\n' "${#targets[@]}" "$budget" "$logs"
header=$(printf '%-16s %-20s %5s %8s %10s %8s %5s %6s %7s %8s' package target seeds baseline execs execs/s new total crashes time)
table=("$header")
echo "$header"
failed=0
for t in "${targets[@]}"; do
	pkg=${t% *}
	name=${t#* }
	log="$logs/$(echo "$pkg" | tr / _)_$name.log"
	seeds=0
	if [ -d "$pkg/testdata/fuzz/$name" ]; then
		seeds=$(find "$pkg/testdata/fuzz/$name" -maxdepth 1 -type f | wc -l)
	fi
	if [ "$fresh" = 1 ]; then
		rm -rf "${cache:?}/$(go list "./$pkg")/$name"
	fi
	before=$(find "$pkg/testdata/fuzz/$name" -maxdepth 1 -type f 2>/dev/null | sort || true)
	start=$(date +%s.%N)
	status=0
	go test -run '^$' -fuzz "^$name\$" -fuzztime "$budget" -parallel 1 -timeout 0 "./$pkg" >"$log" 2>&1 || status=$?
	end=$(date +%s.%N)
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0fs", b - a }')

	# The last progress line holds the totals:
	# fuzz: elapsed: 41s, execs: 1000000 (24390/sec), new interesting: 5 (total: 17)
	last=$(grep -E '^fuzz: elapsed: .*execs: [0-9]+' "$log" | tail -n 1 || true)
	n=$(sed -nE 's/.*execs: ([0-9]+) .*/\1/p' <<<"$last")
	# The last line's rate is since the line before: average over the
	# whole run instead (elapsed is printed like 41s, 2m5s, 1h0m3s).
	secs=$(sed -nE 's/^fuzz: elapsed: ([0-9hms]+),.*/\1/p' <<<"$last" |
		awk '{ s = 0; n = $0; if (n ~ /h/) { split(n, a, "h"); s += a[1] * 3600; n = a[2] }
			if (n ~ /m/) { split(n, a, "m"); s += a[1] * 60; n = a[2] }
			sub(/s$/, "", n); s += n; print s }')
	rate=""
	if [ -n "$n" ] && [ -n "$secs" ] && [ "$secs" -gt 0 ]; then
		rate=$((n / secs))
	fi
	new=$(sed -nE 's/.*new interesting: ([0-9]+) .*/\1/p' <<<"$last")
	total=$(sed -nE 's/.*\(total: ([0-9]+)\).*/\1/p' <<<"$last")
	base=$(grep -oE 'gathering baseline coverage: [0-9]+/[0-9]+' "$log" | tail -n 1 | sed -E 's|.*/||' || true)
	crashes=0
	if [ "$status" -ne 0 ]; then
		failed=1
		crashes=$(grep -c 'Failing input written to' "$log" || true)
		if [ "$crashes" -eq 0 ]; then
			crashes=error
		fi
	fi
	row=$(printf '%-16s %-20s %5s %8s %10s %8s %5s %6s %7s %8s' "$pkg" "$name" "$seeds" "${base:--}" "${n:--}" "${rate:--}" "${new:--}" "${total:--}" "$crashes" "$wall")
	table+=("$row")
	echo "$row"
	if [ "$status" -ne 0 ]; then
		after=$(find "$pkg/testdata/fuzz/$name" -maxdepth 1 -type f 2>/dev/null | sort || true)
		comm -13 <(echo "$before") <(echo "$after") | sed 's/^/    crasher: /'
		sed -n '/--- FAIL\|^FAIL\|cannot\|error/,$p' "$log" | head -n 12 | sed 's/^/    /'
	fi
done

echo
echo "summary (budget $budget per target, -parallel 1, $(go version | cut -d' ' -f3), $(uname -sr)):"
printf '%s\n' "${table[@]}"
if [ "$failed" -ne 0 ]; then
	echo "run.sh: at least one target crashed or failed; see the logs in $logs" >&2
	exit 1
fi
