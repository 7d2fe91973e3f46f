#!/bin/bash
# End-to-end: what maptrail analyze makes of issue 13's real recordings.
# tests/e2e/identity.sh records them (a memfd loader, dlopen from /dev/shm, an
# unlinked file, -p of a threaded process, gdb injecting with -p and
# system-wide) and checks the records with trace-cmd report; this analyzes
# the same captures and checks the findings, the files behind the mappings,
# the processes, and each workload's own /proc/self/maps against vma_history
# (tests/e2e/identity-analyze.py, maps-compare.py).
#
#   tests/e2e/identity-analyze.sh path/to/maptrail
#
# Needs what identity.sh needs (root, tracefs, gdb; exit 77 otherwise).
# KEEP=DIR keeps the captures and databases.
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$(dirname "$maptrail")/.." && pwd)
work=$(mktemp -d /tmp/maptrail-identity-analyze.XXXXXX)
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		mkdir -p "$KEEP" && cp -r "$work"/* "$KEEP"/ && echo "kept in $KEEP"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

set +e
KEEP="$work/keep" "$here/identity.sh" "$maptrail" > "$work/identity.log" 2>&1
rc=$?
set -e
if [ "$rc" = 77 ]; then
	grep SKIP "$work/identity.log" || echo "SKIP: identity.sh skipped"
	exit 77
fi
[ "$rc" = 0 ] || { cat "$work/identity.log" >&2; echo "FAIL: identity.sh: exit $rc" >&2; exit 1; }
IDENTITY_BIN=${IDENTITY:-$build/tests/identity} \
	python3 "$here/identity-analyze.py" "$maptrail" "$work/keep" ||
	{ echo "FAIL: identity-analyze.py" >&2; exit 1; }
echo "identity-analyze: ok"
