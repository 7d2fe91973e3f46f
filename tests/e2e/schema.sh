#!/bin/bash
# The schema as data: maptrail schema prints it, every database carries it,
# and adding an event or a flag name is adding rows (--schema FILE).
#
#   tests/e2e/schema.sh path/to/maptrail      (FIXTURES: the fixtures folder)
set -euo pipefail

maptrail=$1
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FIXTURES:-$here/../fixtures}
work=$(mktemp -d /tmp/maptrail-schema.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -batch -noheader "$1" "$2"; }

# The embedded rows are consistent (and, where tracefs is readable, match it).
bash "$here/../../schema/check-schema.sh"

"$maptrail" schema > "$work/all"
for e in mremap remap_file_pages mmap2 mmap mprotect munmap pkey_mprotect brk; do
	grep -q "^$e — " "$work/all" || fail "maptrail schema does not list $e"
done
"$maptrail" schema mremap > "$work/mremap"
grep -Eq '^ +0 old_address +void\* +K,U ' "$work/mremap" || fail "mremap arg 0: $(cat "$work/mremap")"
grep -Eq '^ +4 new_address +void\* +K,U,OPT ' "$work/mremap" || fail "mremap arg 4 tags"
grep -Eq '^ +do_mremap ' "$work/mremap" || fail "do_mremap hook missing"
grep -q 'update_mmap_zero_pfn' <("$maptrail" schema remap_file_pages) || fail "remap_file_pages hooks"
grep -q 'CREATE TABLE IF NOT EXISTS schema_event' <("$maptrail" schema --sql) || fail "--sql"
rc=0; "$maptrail" schema nosuch 2> "$work/err" || rc=$?
[ "$rc" = 2 ] && grep -q "no event named 'nosuch'" "$work/err" || fail "unknown event: $rc $(cat "$work/err")"
# a misspelt event: a usage error, one line, with the closest name
rc=0; "$maptrail" schema mprotcet 2> "$work/err" || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l < "$work/err")" = 1 ] && grep -q "did you mean 'mprotect'" "$work/err" ||
	fail "misspelt event: $rc $(cat "$work/err")"
# --list: the names, the same as the full listing's
diff <("$maptrail" schema --list) <(sed -n 's/^\([a-z0-9_]*\) — .*/\1/p' "$work/all" | LC_ALL=C sort) ||
	fail "schema --list differs from the events maptrail schema describes"
# --format: rows for programs, the same as the database's schema_arg
"$maptrail" schema mremap --format json > "$work/mremap.json"
python3 - "$work/mremap.json" <<'PY' || fail "schema mremap --format json"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r['name'] for r in rows] == ['old_address', 'old_size', 'new_size', 'flags', 'new_address'], rows
assert rows[4]['tags'] == 'K,U,OPT' and rows[0]['decode'] == 'hex', rows
PY
[ "$("$maptrail" schema --list --format jsonl | wc -l)" = "$("$maptrail" schema --list | wc -l)" ] ||
	fail "schema --list --format jsonl"
rc=0; "$maptrail" schema nosuch --format csv 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "schema nosuch --format csv: status $rc"
# what a user reads names no internal document
! grep -Ein 'seed|[0-9]{3}_[0-9a-f]{16}\.txt|shared/' "$work/all" ||
	fail "maptrail schema names internal documents"

# An extra schema file: a new event with its tracepoint source, a new flag kind.
cat > "$work/extra.sql" <<'SQL'
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode)
	VALUES ('madvise', 'give advice about use of memory', NULL, 'int', NULL);
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('madvise', 0, 'start', 'unsigned long', 'U', 'start of the range', 'hex'),
	('madvise', 1, 'len_in', 'size_t', 'U', 'length of the range', NULL),
	('madvise', 2, 'behavior', 'int', 'U', 'the advice', 'madv');
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system,
	exit_event, ret_field, symbol) VALUES
	('madvise', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_madvise', 'syscalls',
	 'sys_exit_madvise', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('madvise', 'tracepoint', 'any', 'native', 0, 'start', NULL),
	('madvise', 'tracepoint', 'any', 'native', 1, 'len_in', NULL),
	('madvise', 'tracepoint', 'any', 'native', 2, 'behavior', NULL);
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('madv', 'MADV_DONTNEED', 4, 255), ('madv', 'MADV_FREE', 8, 255);
SQL
"$maptrail" schema madvise --schema "$work/extra.sql" > "$work/madvise" ||
	fail "schema madvise with the extra file"
grep -Eq '^ +2 behavior ' "$work/madvise" || fail "madvise args: $(cat "$work/madvise")"
rc=0; "$maptrail" schema madvise > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "madvise known without the extra file"

db=$work/extra.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" -q --schema "$work/extra.sql"
[ "$(q "$db" "SELECT count(*) FROM schema_event WHERE name = 'madvise'")" = 1 ] || fail "event row"
[ "$(q "$db" "SELECT count(*) FROM madvise")" = 0 ] || fail "madvise call table"
[ "$(q "$db" "SELECT known FROM schema_flag_mask WHERE kind = 'madv'")" = 255 ] || fail "flag kind"
# The new kind decodes through the same view machinery as the built-in ones.
q "$db" "INSERT INTO madvise (capture_id, ts, tid, source_id, start, len_in, behavior, ret)
	 VALUES (1, 1, 1, 1, 4096, 4096, 8, 0)"
[ "$(q "$db" "SELECT behavior || ' ' || start FROM madvise_decoded")" = "MADV_FREE 0x1000" ] ||
	fail "madvise_decoded: $(q "$db" "SELECT * FROM madvise_decoded")"
# A broken extra file is refused with its name, and nothing is written.
echo "INSERT INTO nosuch VALUES (1);" > "$work/bad.sql"
rc=0; "$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$work/bad.db" --schema "$work/bad.sql" \
	2> "$work/err" || rc=$?
[ "$rc" = 1 ] && grep -q "bad.sql: no such table: nosuch" "$work/err" && [ ! -e "$work/bad.db" ] ||
	fail "bad extra schema: $rc $(cat "$work/err")"

# The decoded views spell flags and errors by name.
db=$work/v.db
"$maptrail" analyze "$fixtures/mapwork-v7-zstd.dat" -o "$db" -q
[ "$(q "$db" "SELECT count(*) FROM mprotect_decoded WHERE errno = 'EINVAL' AND addr LIKE '0x%'")" -ge 1 ] ||
	fail "mprotect EINVAL not decoded"
[ "$(q "$db" "SELECT count(*) FROM mremap_decoded WHERE flags = 'MREMAP_MAYMOVE|MREMAP_FIXED'")" -ge 1 ] ||
	fail "mremap flags not decoded"
[ "$(q "$db" "SELECT count(*) FROM mremap_decoded WHERE errno = 'EFAULT'")" -ge 1 ] || fail "EFAULT"
[ "$(q "$db" "SELECT count(*) FROM mmap_decoded WHERE flags = 'MAP_PRIVATE|MAP_ANONYMOUS' AND prot = 'PROT_READ|PROT_WRITE'")" -ge 1 ] ||
	fail "mmap flags/prot not decoded"
[ "$(q "$db" "SELECT count(*) FROM mprotect_decoded WHERE prot = 'PROT_READ|PROT_EXEC'")" -ge 1 ] ||
	fail "PROT_READ|PROT_EXEC"
echo "ok: schema command, extra schema rows, decoded views"
