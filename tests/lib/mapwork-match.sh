#!/bin/bash
# Checks that every call mapwork printed has its sys_enter/sys_exit pair in a
# capture, as `trace-cmd report` (the independent reader) decodes it.
#
#   tests/lib/mapwork-match.sh MAPWORK.OUT CAPTURE.dat
#
# For each line `call=X tid=T a=.. b=.. ret=R errno=E` of MAPWORK.OUT there
# must be, among thread T's events, a sys_enter_X whose fields equal the
# line's arguments, immediately followed (for that thread) by sys_exit_X with
# ret=R; calls are found in the order mapwork made them.  Other events of the
# thread in between are allowed: the dynamic loader, malloc and
# pthread_create make mapping calls that mapwork does not print.  Values are
# compared as 64-bit numbers (the report prints hex, mapwork some decimals).
#
# Every buffer holding events of mapwork's pid is checked on its own, so a
# two-buffer capture must hold every call in both.
# Prints "N/N calls matched in B buffer(s)"; on a miss, names the missing calls
# on stderr and exits 1.
set -euo pipefail

die() { echo "mapwork-match: $*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: mapwork-match.sh MAPWORK.OUT CAPTURE.dat" >&2; exit 2; }
out=$1 dat=$2
[ -r "$out" ] || die "$out: cannot read"
[ -r "$dat" ] || die "$dat: cannot read"
pid=$(sed -n '1s/^pid=\([0-9][0-9]*\)$/\1/p' "$out")
[ -n "$pid" ] || die "$out: first line is not pid=N (not mapwork's output?)"

export LC_ALL=C
report=$(mktemp /tmp/mapwork-match.XXXXXX)
trap 'rm -f "$report"' EXIT
# Raw field=value output (-R) names the fields as mapwork does.
trace-cmd report -R -i "$dat" > "$report" || die "$dat: trace-cmd report failed (exit $?)"

awk -v pid="$pid" -v outname="$out" '
# Canonical form of a number: lowercase hex, no 0x, no leading zeros.  mawk
# has doubles only (its %x stops at 2^31), so decimals are converted by hand;
# they are lengths and small offsets here, exact in a double.
function dec2hex(n,   s, d) {
	if (n == 0)
		return "0";
	s = "";
	while (n > 0) {
		d = n % 16;
		s = substr("0123456789abcdef", d + 1, 1) s;
		n = (n - d) / 16;
	}
	return s;
}
function canon(v,   h) {
	if (v ~ /^0[xX]/) {
		h = tolower(substr(v, 3));
		sub(/^0+/, "", h);
		return h == "" ? "0" : h;
	}
	if (v ~ /^-[0-9]+$/) {	# small negative (fd, pkey): 64-bit complement
		h = dec2hex(4294967296 + v);
		while (length(h) < 8)
			h = "0" h;
		return "ffffffff" h;
	}
	return dec2hex(v + 0);
}
# Pass 1: mapwork.out
FNR == NR {
	if (FNR == 1)
		next;
	ncall++;
	line[ncall] = $0;
	args = "";
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=");
		k = kv[1]; v = substr($i, length(k) + 2);
		if (k == "call") name = v;
		else if (k == "tid") tid = v;
		else if (k == "ret") ret = canon(v);
		else if (k != "errno") args = args " " k "=" canon(v);
	}
	ctid[ncall] = tid;
	center[ncall] = "enter " name args;
	cexit[ncall] = "exit " name " ret=" ret;
	want[tid] = 1;
	next;
}
# Pass 2: trace-cmd report -R
{
	for (c = 2; c <= NF; c++)
		if ($c ~ /^\[[0-9]+\]$/)
			break;
	if (c > NF)
		next;
	t = $(c - 1);
	sub(/.*-/, "", t);
	if (!(t in want))
		next;
	ev = $(c + 2);
	sub(/:$/, "", ev);
	if (ev ~ /^sys_enter_/) { r = "enter " substr(ev, 11); }
	else if (ev ~ /^sys_exit_/) { r = "exit " substr(ev, 10); }
	else next;
	for (i = c + 3; i <= NF; i++) {
		split($i, kv, "=");
		if (kv[1] == "__syscall_nr")
			continue;
		r = r " " kv[1] "=" canon(substr($i, length(kv[1]) + 2));
	}
	buf = (c > 2 && $1 ~ /:$/) ? substr($1, 1, length($1) - 1) : "(top)";
	if (!(buf in seen)) {
		seen[buf] = 1;
		bufs[++nbuf] = buf;
	}
	n = ++nrec[buf, t];
	rec[buf, t, n] = r;
}
END {
	if (ncall == 0) {
		print "mapwork-match: " outname ": no calls in it" > "/dev/stderr";
		exit 1;
	}
	checked = 0; bad = 0;
	for (b = 1; b <= nbuf; b++) {
		buf = bufs[b];
		if (!((buf, pid) in nrec))
			continue;
		checked++;
		split("", pos);
		matched = 0;
		for (k = 1; k <= ncall; k++) {
			t = ctid[k];
			p = (t in pos) ? pos[t] : 1;
			found = 0;
			for (; p < nrec[buf, t]; p++) {
				if (rec[buf, t, p] == center[k] && rec[buf, t, p + 1] == cexit[k]) {
					found = 1;
					break;
				}
			}
			if (found) {
				pos[t] = p + 2;
				matched++;
			} else {
				if (bad < 10)
					print "mapwork-match: buffer " buf ": no enter/exit pair for: " line[k] > "/dev/stderr";
				bad++;
			}
		}
	}
	if (checked == 0) {
		print "mapwork-match: no sys_enter/sys_exit event of pid " pid " in the capture" > "/dev/stderr";
		exit 1;
	}
	if (bad) {
		print "mapwork-match: " bad " call(s) missing" > "/dev/stderr";
		exit 1;
	}
	printf "%d/%d calls matched in %d buffer(s)\n", ncall, ncall, checked;
}' "$out" "$report"
