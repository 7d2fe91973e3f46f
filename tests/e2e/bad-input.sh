#!/bin/bash
# Bad input: each gets one line "maptrail: PATH: reason", exit status 1, and
# leaves no database (and no temporary) behind; an existing output survives.
#
#   tests/e2e/bad-input.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-bad.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_error INPUT [REASON-REGEX]: analyze must fail cleanly on INPUT.
expect_error() {
	local input=$1 pattern=${2:-.} out=$work/out.db rc=0
	rm -f "$out"
	timeout 60 "$maptrail" analyze "$input" -o "$out" > "$work/stdout" 2> "$work/err" || rc=$?
	[ "$rc" = 1 ] || fail "$input: exit status $rc, want 1 ($(head -c 300 "$work/err"))"
	[ "$(wc -l < "$work/err")" = 1 ] || fail "$input: want one line, got: $(cat "$work/err")"
	grep -q "^maptrail: $(printf '%s' "$input" | sed 's/[][\.*^$]/\\&/g'): " "$work/err" ||
		fail "$input: message does not name the file: $(cat "$work/err")"
	grep -Eq "$pattern" "$work/err" || fail "$input: want /$pattern/, got: $(cat "$work/err")"
	[ ! -s "$work/stdout" ] || fail "$input: printed on stdout"
	[ ! -e "$out" ] || fail "$input: left a database behind"
	[ -z "$(ls -A "$work" | grep '^\.out\.db')" ] || fail "$input: left a temporary behind"
	echo "ok: $(basename "$input"): $(cat "$work/err")"
}

: > "$work/empty.dat"
expect_error "$work/empty.dat" 'empty'
mkdir "$work/dir.dat"
expect_error "$work/dir.dat" 'directory'
expect_error "$work/missing.dat" 'No such file'
head -c 65536 /dev/urandom > "$work/random.dat"
expect_error "$work/random.dat" 'not a trace.dat'
printf '\027\010Dtracing' > "$work/magic.dat"
expect_error "$work/magic.dat" 'truncated|corrupt'
mkfifo "$work/fifo.dat"
expect_error "$work/fifo.dat" 'not a regular file'
echo 'just some text, not a trace' > "$work/text.dat"
expect_error "$work/text.dat" 'not a trace.dat'

# Unreadable: root reads anything, so run as nobody on a file only root may read.
cp "$fixtures/mapwork-v6.dat" "$work/private.dat"
chmod 600 "$work/private.dat"
chmod 755 "$work"
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups "$maptrail" analyze "$work/private.dat" \
	-o /tmp/maptrail-nobody.db 2> "$work/err" || rc=$?
[ "$rc" = 1 ] && grep -q "^maptrail: $work/private.dat: .*Permission denied" "$work/err" ||
	fail "unreadable: exit $rc: $(cat "$work/err")"
echo "ok: unreadable: $(cat "$work/err")"

# Every fixture cut short at several points, and with a corrupted section size.
for dat in "$fixtures"/*.dat; do
	name=$(basename "$dat" .dat)
	size=$(stat -c %s "$dat")
	for cut in 12 40 200 $((size / 4)) $((size / 2)) $((size * 3 / 4)) $((size - 1)); do
		head -c "$cut" "$dat" > "$work/$name-cut$cut.dat"
		expect_error "$work/$name-cut$cut.dat" 'truncated|corrupt|cannot read'
		rm -f "$work/$name-cut$cut.dat"
	done
done

# Corrupt: the size of header_page (v6: right after the header) made enormous.
python3 - "$fixtures/mapwork-v6.dat" "$work/v6-bigsection.dat" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
at = data.index(b'header_page\0') + len(b'header_page\0')
data[at:at + 8] = (1 << 40).to_bytes(8, 'little')
open(sys.argv[2], 'wb').write(data)
PY
expect_error "$work/v6-bigsection.dat" 'truncated|corrupt'

# Damaged event pages (not truncated): refused or read, never a crash or a hang.
python3 - "$fixtures/mapwork-v7-none.dat" "$work" <<'PY'
import random, subprocess, sys
src, work = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
# The CPU pages are the last part of the file (before the strings section).
random.seed(1)
for i in range(40):
    d = bytearray(data)
    for _ in range(8):
        at = random.randrange(len(d) * 3 // 4, len(d) - 64)
        d[at] = random.randrange(256)
    path = '%s/pages%d.dat' % (work, i)
    open(path, 'wb').write(d)
PY
for f in "$work"/pages*.dat; do
	rc=0
	timeout 60 "$maptrail" analyze "$f" -o "$work/pages.db" -q --force 2> "$work/err" || rc=$?
	[ "$rc" -le 1 ] || fail "$f: exit status $rc: $(cat "$work/err")"
	[ "$rc" = 0 ] || [ "$(wc -l < "$work/err")" = 1 ] || fail "$f: $(cat "$work/err")"
	rm -f "$f" "$work/pages.db"
done
echo "ok: damaged pages: no crash"

# A disk that fills up: one line, nothing left behind (a 1 MiB tmpfs; root only).
if [ "$(id -u)" = 0 ] && mkdir "$work/small" && mount -t tmpfs -o size=1m tmpfs "$work/small"; then
	rc=0
	"$maptrail" analyze "$fixtures/two-buffers-v7.dat" -o "$work/small/out.db" 2> "$work/err" || rc=$?
	left=$(ls -A "$work/small")
	umount "$work/small"
	[ "$rc" = 1 ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "out.db: the disk is full" "$work/err" ||
		fail "disk full: exit $rc: $(cat "$work/err")"
	[ -z "$left" ] || fail "disk full: left $left"
	echo "ok: disk full: $(cat "$work/err")"
fi

# A failed --force run keeps the output the user had.
cp "$fixtures/mapwork-v6.dat" "$work/keep.dat"
"$maptrail" analyze "$work/keep.dat" -o "$work/keep.db" -q
before=$(sha256sum < "$work/keep.db")
rc=0
"$maptrail" analyze "$work/random.dat" -o "$work/keep.db" --force 2> /dev/null || rc=$?
[ "$rc" = 1 ] || fail "--force on bad input: exit $rc"
[ "$(sha256sum < "$work/keep.db")" = "$before" ] || fail "--force on bad input changed the output"

# --append onto something that is not a maptrail database is refused, untouched.
echo "my notes" > "$work/notes.db"
rc=0
"$maptrail" analyze "$work/keep.dat" -o "$work/notes.db" --append 2> "$work/err" || rc=$?
[ "$rc" = 1 ] && grep -q "not a maptrail database" "$work/err" || fail "append to non-db: $(cat "$work/err")"
[ "$(cat "$work/notes.db")" = "my notes" ] || fail "append to non-db changed it"

# Usage errors exit 2.
rc=0; "$maptrail" analyze 2> /dev/null || rc=$?; [ "$rc" = 2 ] || fail "no argument: exit $rc"
rc=0; "$maptrail" analyze --bogus x 2> /dev/null || rc=$?; [ "$rc" = 2 ] || fail "bad option: exit $rc"
echo "ok: output kept, usage errors"
