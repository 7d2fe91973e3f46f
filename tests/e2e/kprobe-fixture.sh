#!/bin/bash
# The kprobe path without a VM: the captures the VM test made on Debian's 6.1
# kernel (tests/fixtures/vm61-*.dat, make-vm-fixtures.sh), analyzed here and
# checked as the VM test checks them (tests/vm/check.py): the workload's calls
# exactly, read by the kprobes' fetch arguments and kretprobes, the i386 ones
# under abi 'i386', none of those in the tracepoint capture, and the plan.
#
#   tests/e2e/kprobe-fixture.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-kprobe-fixture.XXXXXX)
trap 'rm -rf "$work"' EXIT

for kind in kprobe tracepoint; do
	short=${kind:0:1}
	ln -s "$fixtures/vm61-$kind.dat" "$work/$short.dat"
	cp "$fixtures/vm61/$kind.out" "$work/$short.out"
	"$maptrail" analyze "$work/$short.dat" -o "$work/$short.db" -q
	python3 "$here/compare-report.py" "$work/$short.dat" "$work/$short.db"
done
# An older recorder made them: the plan is the prose it printed, and no rows.
for short in k t; do
	[ "$(sqlite3 -batch -noheader "$work/$short.db" "SELECT count(*) FROM capture_plan")" = 0 ] ||
		{ echo "FAIL: $short.db: plan rows made up from an older recorder's prose" >&2; exit 1; }
	plan=$(sqlite3 -batch -noheader "$work/$short.db" "SELECT recorder_plan FROM capture")
	[[ $plan == "plan: Linux "* ]] || { echo "FAIL: $short.db: no prose plan" >&2; exit 1; }
done
cp "$fixtures/vm61/plan.txt" "$work/plan.txt"
# The kernel the VM ran, as the capture's uname says.
kernel=$(sqlite3 -batch -noheader "$work/k.db" "SELECT kernel_version FROM capture")
python3 "$here/../vm/check.py" "$work" "$kernel"
