#!/bin/bash
# Check maptrail's schema rows: load schema/*.sql in order into an in-memory
# SQLite database with foreign keys on, then check the rows for consistency,
# and, where tracefs is readable, that every tracepoint field named exists.
# Usage: schema/check-schema.sh [SCHEMA_DIR]   (sqlite3 is taken from PATH)
# Exit 0 when everything holds, 1 with one line per failure otherwise.
set -euo pipefail

dir=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
files=(00-tables.sql 10-events.sql 20-sources.sql 30-hooks.sql 40-flags.sql 50-errno.sql 60-triggers.sql 70-identity.sql)
fail=0

die() { echo "check-schema: $*" >&2; exit 1; }
bad() { echo "check-schema: FAIL: $*" >&2; fail=1; }

command -v sqlite3 >/dev/null || die "sqlite3 not found in PATH"
for f in "${files[@]}"; do
	[ -r "$dir/$f" ] || die "$dir/$f: cannot read"
done

db=$(mktemp "${TMPDIR:-/tmp}/check-schema.XXXXXX.db")
trap 'rm -f "$db"' EXIT

# Load each file in order, PRAGMA foreign_keys=ON before its inserts (the
# pragma is per connection), stopping at the first error.  A file database
# rather than :memory: so that the checks below can query it.
for f in "${files[@]}"; do
	if ! err=$(printf "PRAGMA foreign_keys=ON;\n.read '%s'\n" "$dir/$f" |
		   sqlite3 -bail "$db" 2>&1 >/dev/null); then
		die "$f: load failed: ${err:-sqlite3 error}"
	fi
	[ -z "$err" ] || die "$f: $err"
done

# Run one check: $1 names it, $2 is a query that returns the offending rows.
check() {
	local out
	out=$(sqlite3 -separator ' ' "$db" "$2") || die "query failed: $1"
	if [ -n "$out" ]; then
		while IFS= read -r line; do bad "$1: $line"; done <<<"$out"
	fi
}

check "foreign key violation (table rowid parent fkid)" "PRAGMA foreign_key_check;"

check "event without arguments" \
	"SELECT name FROM schema_event e WHERE NOT EXISTS
	   (SELECT 1 FROM schema_arg a WHERE a.event = e.name);"
check "argument positions not 0..n-1" \
	"SELECT event FROM schema_arg GROUP BY event HAVING max(position) + 1 <> count(*) OR min(position) <> 0;"
check "bad tag (event position tag)" \
	"WITH RECURSIVE t(event, position, tok, rest) AS (
	   SELECT event, position, NULL, tags || ',' FROM schema_arg
	   UNION ALL
	   SELECT event, position, substr(rest, 1, instr(rest, ',') - 1),
	          substr(rest, instr(rest, ',') + 1) FROM t WHERE rest <> '')
	 SELECT event, position, quote(tok) FROM t
	 WHERE tok IS NOT NULL AND tok NOT IN ('K', 'U', 'TOCTOU', 'OPT');"
check "decode names no flag kind" \
	"SELECT event, name, decode FROM schema_arg WHERE decode IS NOT NULL AND decode <> 'hex'
	   AND decode NOT IN (SELECT kind FROM schema_flag);"
check "family not memory or identity" \
	"SELECT name, family FROM schema_event WHERE family NOT IN ('memory', 'identity');"
check "ret_decode not hex or NULL" \
	"SELECT name, ret_decode FROM schema_event WHERE ret_decode IS NOT NULL AND ret_decode <> 'hex';"
check "event without any source" \
	"SELECT name FROM schema_event e WHERE NOT EXISTS
	   (SELECT 1 FROM schema_source s WHERE s.event = e.name);"
check "event without any hook" \
	"SELECT name FROM schema_event e WHERE NOT EXISTS
	   (SELECT 1 FROM schema_hook h WHERE h.event = e.name);"

check "source lacks an argument (event backend arch abi position)" \
	"SELECT s.event, s.backend, s.arch, s.abi, a.position FROM schema_source s
	   JOIN schema_arg a ON a.event = s.event
	 WHERE NOT EXISTS (SELECT 1 FROM schema_arg_source x WHERE x.event = s.event
	   AND x.backend = s.backend AND x.arch = s.arch AND x.abi = s.abi AND x.position = a.position);"
check "bad source columns" \
	"SELECT event, backend, arch, abi FROM schema_source WHERE
	   NOT ((backend = 'tracepoint' AND arch = 'any' AND abi = 'native' AND symbol IS NULL
	         AND enter_system = 'syscalls' AND exit_system = 'syscalls'
	         AND enter_event = 'sys_enter_' || event AND exit_event = 'sys_exit_' || event)
	     OR (backend = 'kprobe' AND arch IN ('x86_64', 'aarch64') AND abi IN ('native', 'i386', 'arm32')
	         AND symbol IS NOT NULL AND enter_system = 'maptrail' AND exit_system = 'maptrail'
	         AND exit_event = enter_event || '_ret' AND enter_event LIKE event || '\_%' ESCAPE '\\'))
	   OR ret_field <> 'ret';"
check "duplicate probe event name" \
	"SELECT enter_system, enter_event FROM schema_source GROUP BY 1, 2 HAVING count(*) > 1;"
check "tracepoint arg with a fetch" \
	"SELECT event, position FROM schema_arg_source WHERE backend = 'tracepoint' AND fetch IS NOT NULL;"
check "kprobe arg field is not the argument name" \
	"SELECT x.event, x.arch, x.abi, x.position, x.field FROM schema_arg_source x
	   JOIN schema_arg a USING (event, position) WHERE x.backend = 'kprobe' AND x.field <> a.name;"
check "kprobe fetch malformed" \
	"SELECT event, arch, abi, position, quote(fetch) FROM schema_arg_source WHERE backend = 'kprobe' AND (fetch IS NULL
	   OR NOT (fetch GLOB '*:[us][0-9]*' OR fetch GLOB '*:x[0-9]*'
	           OR fetch GLOB '+u0(*):string' OR fetch GLOB '*:ustring')
	   OR (arch = 'x86_64' AND fetch NOT GLOB '*(%di)*')
	   OR (arch = 'aarch64' AND fetch NOT GLOB '*(%x0)*'));"

check "bad hook status" \
	"SELECT event, documented, status FROM schema_hook WHERE status NOT IN
	   ('renamed', 'exists', 'recent kernels only', 'removed', 'never existed', 'other architecture');"
check "bad hook kind" \
	"SELECT event, documented, kind FROM schema_hook WHERE kind NOT IN ('kprobe', 'kprobe+kretprobe');"
check "seed event hook without the page's purpose" \
	"SELECT h.event, h.documented FROM schema_hook h JOIN schema_event e ON e.name = h.event
	 WHERE e.seed_page IS NOT NULL AND h.purpose IS NULL;"

check "trigger argument not an argument of its event (name event arg)" \
	"SELECT t.name, t.event, t.arg FROM schema_trigger t WHERE t.arg IS NOT NULL AND NOT EXISTS
	   (SELECT 1 FROM schema_arg a WHERE a.event = t.event AND a.name = t.arg);"
check "trigger without bits on its argument, or bits without one (name event)" \
	"SELECT name, event FROM schema_trigger WHERE (arg IS NULL) <> (bits IS NULL) OR bits <= 0;"
check "trigger name not usable in a file name (name)" \
	"SELECT DISTINCT name FROM schema_trigger WHERE name GLOB '*[^a-z0-9_-]*' OR name = '';"

check "flag value outside its mask" \
	"SELECT kind, name FROM schema_flag WHERE (value & mask) <> value OR mask = 0;"
check "flag value named twice" \
	"SELECT kind, value, mask FROM schema_flag GROUP BY kind, value, mask HAVING count(*) > 1;"

check "missing errno" \
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 133)
	 SELECT i FROM n WHERE i NOT IN (41, 58) AND i NOT IN (SELECT number FROM schema_errno)
	 UNION ALL SELECT i FROM (SELECT 512 AS i UNION SELECT 513 UNION SELECT 514 UNION SELECT 515 UNION SELECT 516)
	 WHERE i NOT IN (SELECT number FROM schema_errno);"
check "errno name duplicated" \
	"SELECT name FROM schema_errno GROUP BY name HAVING count(*) > 1;"

# Tracepoint fields against this machine's tracefs.
tracefs=
for d in ${TRACEFS:-} /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -r "$d/events/syscalls" ]; then tracefs=$d; break; fi
done
if [ -z "$tracefs" ]; then
	echo "check-schema: tracefs not readable (syscall events not found under /sys/kernel/tracing): field check skipped"
else
	while IFS='|' read -r event enter exit ret; do
		fmt="$tracefs/events/syscalls/$enter/format"
		xfmt="$tracefs/events/syscalls/$exit/format"
		if [ ! -r "$fmt" ]; then bad "$event: $fmt: no such tracepoint on this kernel"; continue; fi
		if [ ! -r "$xfmt" ]; then bad "$event: $xfmt: no such tracepoint on this kernel"; continue; fi
		grep -Eq "field:[^;]*[ *]${ret};" "$xfmt" || bad "$event: $exit has no field '$ret'"
		while IFS= read -r field; do
			grep -Eq "field:[^;]*[ *]${field};" "$fmt" || bad "$event: $enter has no field '$field'"
		done < <(sqlite3 "$db" "SELECT field FROM schema_arg_source WHERE event = '$event'
		           AND backend = 'tracepoint' ORDER BY position;")
	done < <(sqlite3 -separator '|' "$db" "SELECT event, enter_event, exit_event, ret_field
	           FROM schema_source WHERE backend = 'tracepoint' ORDER BY event;")
	[ "$fail" -eq 0 ] && echo "check-schema: tracepoint fields match $tracefs"
fi

if [ "$fail" -ne 0 ]; then
	echo "check-schema: schema check failed" >&2
	exit 1
fi
echo "check-schema: ok ($(sqlite3 "$db" "SELECT (SELECT count(*) FROM schema_event) || ' events, '
	|| (SELECT count(*) FROM schema_source) || ' sources, ' || (SELECT count(*) FROM schema_hook)
	|| ' hooks, ' || (SELECT count(*) FROM schema_flag) || ' flags, '
	|| (SELECT count(*) FROM schema_errno) || ' errnos, '
	|| (SELECT count(DISTINCT name) FROM schema_trigger) || ' triggers'"))"
