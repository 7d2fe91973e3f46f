#!/bin/bash
# The kprobe backend on a real kernel: maptrail record in a qemu VM running
# Debian's kernel (linux-image-amd64: CONFIG_KPROBES, CONFIG_KPROBE_EVENTS),
# since the machines maptrail is built on may have kprobes compiled out.
#
#   tests/vm/run.sh path/to/maptrail
#
# 1. The kernel: the package linux-image-amd64 depends on (apt-cache depends),
#    fetched with apt-get download and unpacked with dpkg -x once, cached in
#    $MAPTRAIL_VM_CACHE (default /var/cache/maptrail-vm; outside the tree).
# 2. An initramfs: busybox-static, maptrail with the shared libraries ldd
#    names (and the dynamic loader), /workload (vmwork.c, built static here)
#    and /init (init.sh).
# 3. qemu-system-x86_64 -nographic -no-reboot, TCG, under a timeout.  Inside:
#    a hand-written kprobe (kprobes work at all), maptrail record --plan,
#    maptrail record --backend kprobe and --backend tracepoint of /workload.
# 4. The results come back on the second serial port, byte-exact (size and
#    sha256 announced on the console, every file checked against the
#    SHA256SUMS made inside).
# 5. Here: trace-cmd report reads k.dat and prints as many events as maptrail
#    analyze loads; the call tables hold exactly the calls the workload
#    printed, with the arguments the fetch arguments read and the returns the
#    kretprobes read, the i386 ones (int $0x80) under call_source abi 'i386';
#    the tracepoint capture of the same workload on the same kernel holds the
#    native calls and none of the i386 ones; the plan reports every hook the
#    seed pages document, and what it is on this kernel.
#
# Needs qemu-system-x86_64, busybox (static), cpio, apt-get/dpkg (or a cached
# kernel), a C compiler with a static libc, trace-cmd, sqlite3 and python3;
# without one of them, or without a kernel to boot, it says "skipped: <reason>"
# and exits 77.  Root is not needed (but for writing /var/cache).  Nothing of
# this machine's tracing state is touched: all tracing happens in the VM.
#
# Environment: MAPTRAIL_VM_CACHE (kernel cache), MAPTRAIL_VM_TIMEOUT (seconds
# for the VM, default 300), MAPTRAIL_VM_KEEP=1 (keep the work directory).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: tests/vm/run.sh path/to/maptrail" >&2; exit 2; }
maptrail=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../lib
vm_timeout=${MAPTRAIL_VM_TIMEOUT:-300}
t0=$(date +%s.%N)

skip() { echo "skipped: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(uname -m)" = x86_64 ] || skip "the VM test boots an x86_64 kernel; this is $(uname -m)"
[ -x "$maptrail" ] || fail "$maptrail: not built"
for tool in qemu-system-x86_64 busybox cpio gzip trace-cmd sqlite3 python3 ${CC:-cc}; do
	command -v "$tool" > /dev/null || skip "$tool is not installed (scripts/install-deps.sh)"
done
busybox=$(command -v busybox)
ldd "$busybox" > /dev/null 2>&1 && skip "$busybox is not static (install busybox-static)"
"$maptrail" record --help 2>&1 | grep -q -- '--backend.*kprobe' ||
	skip "$maptrail has no 'record --backend kprobe'"

work=$(mktemp -d /tmp/maptrail-vm.XXXXXX)
cleanup() {
	if [ "${MAPTRAIL_VM_KEEP:-}" = 1 ]; then
		echo "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# --- 1. the kernel ----------------------------------------------------------------
cache=${MAPTRAIL_VM_CACHE:-/var/cache/maptrail-vm}
if ! mkdir -p "$cache" 2> /dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/maptrail-vm
	mkdir -p "$cache"
fi
# The newest kernel of the cache, for when apt cannot give one.
newest_cached() {
	local v
	# shellcheck disable=SC2012
	v=$(ls -t "$cache"/linux-image-*/vmlinuz 2> /dev/null | head -1 || true)
	[ -z "$v" ] || basename "$(dirname "$v")"
}
exec 9> "$cache/.lock"
flock 9		# one download at a time, whoever else runs this

# The package the metapackage stands for, e.g. linux-image-6.1.0-57-amd64.
pkg=$(apt-cache depends linux-image-amd64 2> /dev/null |
	sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1 || true)
if [ -z "$pkg" ]; then
	# No package lists (offline machine): the newest kernel cached, if any.
	pkg=$(newest_cached)
	[ -n "$pkg" ] || skip "apt-cache cannot resolve linux-image-amd64 and no kernel is cached in $cache"
	echo "note: apt-cache cannot resolve linux-image-amd64; using the cached $pkg"
fi
kdir=$cache/$pkg
if [ ! -s "$kdir/vmlinuz" ]; then
	t=$(date +%s.%N)
	dl=$(mktemp -d "$cache/download.XXXXXX")
	# -o APT::Sandbox::User=root: the _apt user may not write this folder
	if ! (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg") > "$dl/log" 2>&1; then
		if [ "$(id -u)" = 0 ]; then	# stale lists: the ABI moved on
			apt-get update -qq > /dev/null 2>&1 || true
			pkg=$(apt-cache depends linux-image-amd64 2> /dev/null |
				sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1 || true)
			kdir=$cache/$pkg
		fi
		if [ -z "$pkg" ] ||
		   ! (cd "$dl" && apt-get download -q -o APT::Sandbox::User=root "$pkg") > "$dl/log" 2>&1; then
			msg=$(grep -E '^(E|W):' "$dl/log" | head -2 | tr '\n' ' ')
			rm -rf "$dl"
			cached=$(newest_cached)
			[ -n "$cached" ] ||
				skip "apt-get download $pkg failed: ${msg:-see apt-get}"
			echo "note: apt-get download $pkg failed (${msg:-?}); using the cached $cached"
			pkg=$cached kdir=$cache/$cached
		fi
	fi
fi
if [ ! -s "$kdir/vmlinuz" ]; then
	deb=$(ls "$dl"/*.deb)
	echo "downloaded $(basename "$deb") ($(du -m "$deb" | cut -f1) MB) in $(elapsed "$t") s"
	dpkg -x "$deb" "$dl/x"
	mkdir -p "$kdir.new"
	cp "$dl"/x/boot/vmlinuz-* "$kdir.new/vmlinuz"
	cp "$dl"/x/boot/config-* "$kdir.new/config"
	mv "$deb" "$kdir.new/"
	rm -rf "$dl" "$kdir"
	mv "$kdir.new" "$kdir"
	# Older kernels of the cache go.
	for old in "$cache"/linux-image-*; do
		[ "$old" = "$kdir" ] || rm -rf "$old"
	done
	echo "kernel ready in $(elapsed "$t") s: $kdir/vmlinuz"
fi
exec 9>&-
grep -q '^CONFIG_KPROBE_EVENTS=y' "$kdir/config" ||
	skip "$pkg is built without CONFIG_KPROBE_EVENTS"

# --- 2. the initramfs -------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,usr/bin}
cp "$busybox" "$root/bin/busybox"
cp "$maptrail" "$root/usr/bin/maptrail"
# The static recorder, when the build made one: it must need no file at all.
static_rec=$(dirname "$maptrail")/maptrail-record
if [ -x "$static_rec" ]; then
	readelf -l "$static_rec" | grep -q INTERP && fail "$static_rec has a program interpreter: not static"
	readelf -d "$static_rec" 2> /dev/null | grep -q NEEDED && fail "$static_rec needs shared libraries"
	cp "$static_rec" "$root/usr/bin/maptrail-record"
	echo "maptrail-record: $(stat -c %s "$static_rec") bytes; $(file -b "$static_rec" | cut -d, -f1-4)"
else
	echo "note: no maptrail-record in the build (static libraries missing): its step is not run"
fi
# Every library ldd resolves, the dynamic loader among them, at its own path.
ldd "$maptrail" | grep -o '/[^ ]*' | sort -u | while read -r so; do
	mkdir -p "$root$(dirname "$so")"
	cp -L "$so" "$root$so"
done
${CC:-cc} -static -O2 -Wall -Werror -I "$here/../workload" -o "$root/workload" "$here/vmwork.c" 2> "$work/cc.err" ||
	skip "cannot build the static workload (libc6-dev's libc.a?): $(head -3 "$work/cc.err")"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$work/initrd.cpio"

# --- 3. the VM --------------------------------------------------------------------
t=$(date +%s.%N)
rc=0
timeout -k 10 "$vm_timeout" qemu-system-x86_64 -accel tcg -nographic -no-reboot \
	-m 1G -smp 2 -nic none \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.cpio" \
	-append 'console=ttyS0 panic=-1 quiet loglevel=3' \
	-serial mon:stdio -serial "file:$work/ttyS1.bin" \
	< /dev/null > "$work/console.log" 2>&1 || rc=$?
vm_time=$(elapsed "$t")
console=$(tr -d '\r' < "$work/console.log" | sed 's/.*@@ /@@ /')
[ $rc -ne 124 ] && [ $rc -ne 137 ] ||
	fail "the VM did not finish in $vm_timeout s; its console ends:
$(tail -20 <<< "$console")"
[ $rc -eq 0 ] || fail "qemu exited with $rc:
$(tail -20 <<< "$console")"
grep -q '^@@ sent' <<< "$console" || fail "the VM sent nothing back; its console ends:
$(tail -20 <<< "$console")"
boot_up=$(sed -n 's/^@@ boot kernel=.* up=\([0-9.]*\)$/\1/p' <<< "$console")
kernel=$(sed -n 's/^@@ boot kernel=\([^ ]*\) .*/\1/p' <<< "$console")
echo "VM: $kernel (from $pkg), userspace after ${boot_up} s of uptime, whole run $vm_time s"
echo "VM uptime at the end of each step: $(sed -n 's/^@@ step \([^ ]*\) rc=.* up=\([0-9.]*\)$/\1 \2 s,/p;s/^@@ sent up=\([0-9.]*\)$/sent back \1 s/p' <<< "$console" | tr '\n' ' ')"

# --- 4. back on the host, byte-exact ------------------------------------------------
read -r size sha < <(sed -n 's/^@@ send \([0-9]*\) \([0-9a-f]*\)$/\1 \2/p' <<< "$console")
[ "$(wc -c < "$work/ttyS1.bin")" = "$size" ] ||
	fail "ttyS1 brought $(wc -c < "$work/ttyS1.bin") bytes back, the VM sent $size"
[ "$(sha256sum < "$work/ttyS1.bin" | cut -d' ' -f1)" = "$sha" ] ||
	fail "what ttyS1 brought back does not have the sha256 the VM printed"
out=$work/out
mkdir -p "$out"
tar -C "$out" -xzf "$work/ttyS1.bin"
(cd "$out" && sha256sum --quiet -c SHA256SUMS) || fail "files differ from the VM's SHA256SUMS"
ksha=$(sed -n 's/^@@ sha256 k.dat \([0-9a-f]*\)$/\1/p' <<< "$console")
[ -n "$ksha" ] && [ "$(sha256sum < "$out/k.dat" | cut -d' ' -f1)" = "$ksha" ] ||
	fail "k.dat is not the file the VM wrote (sha256 ${ksha:-missing})"
echo "ok: $size bytes back over ttyS1, sha256 checked; k.dat $(wc -c < "$out/k.dat") bytes, sha256 $ksha"

steps="kprobe-smoke plan record-kprobe record-tracepoint record-flight"
[ -x "$static_rec" ] && steps="$steps record-static"
for s in $steps; do
	line=$(grep "^@@ step $s " <<< "$console" || true)
	[ -n "$line" ] || fail "step $s did not run in the VM"
	case $line in
	*" rc=0 "*) ;;
	*) fail "step $s failed in the VM ($line):
$(cat "$out/k.err" "$out/t.err" "$out/s.err" "$out/f.err" 2> /dev/null | tail -20)
$(tail -5 "$out/plan.txt" 2> /dev/null)" ;;
	esac
done

# The hand-written kprobe saw every native mprotect the workload made.
pid=$(sed -n '1s/^pid=//p' "$out/smoke.out")
n=0
while read -r addr len prot; do
	grep -q "workload-$pid .* mprot: .* addr=$addr len=$len prot=$prot\$" "$out/smoke-trace.txt" ||
		fail "the hand-written kprobe missed mprotect($addr, $len, $prot):
$(grep mprot "$out/smoke-trace.txt" | head)"
	n=$((n + 1))
done < <(sed -n 's/^call=mprotect abi=native .* addr=\(0x[0-9a-f]*\) len=\([0-9]*\) prot=\(0x[0-9a-f]*\) ret=.*/\1 \2 \3/p' \
	"$out/smoke.out")
[ $n -gt 0 ] || fail "the workload made no native mprotect?"
echo "ok: a hand-written kprobe on __x64_sys_mprotect saw all $n native mprotect calls"

# maptrail left the VM's tracing state as it found it.
diff -u "$out/state-before.txt" "$out/state-after.txt" > "$work/state.diff" ||
	fail "maptrail record changed the VM's tracing state:
$(cat "$work/state.diff")"
caps="k t"
if [ -x "$static_rec" ]; then
	caps="k t s"
	# the root maptrail-record ran in held nothing but it and the workload
	# (proc and sys, the kernel's, are left out of the list; tmp is empty, for the workload)
	[ "$(LC_ALL=C sort "$out/bare-files.txt" | tr '\n' ' ')" = ". ./maptrail-record ./out ./tmp ./workload " ] ||
		fail "maptrail-record's root held more: $(tr '\n' ' ' < "$out/bare-files.txt")"
	grep -q '^plan: ' "$out/s-plan.txt" || fail "maptrail-record --plan: $(head -3 "$out/s-plan.txt")"
	echo "ok: maptrail-record (static) planned, recorded and cleaned up in a root with no libc"
fi
for e in $caps; do
	grep -q '/workload (pid [0-9]*) exited with status 0' "$out/$e.err" ||
		fail "record did not report the workload's exit 0: $(cat "$out/$e.err")"
done
grep -qi 'warning' "$out/k.err" "$out/t.err" && fail "record warned: $(grep -hi warning "$out/k.err" "$out/t.err")"
[ -x "$static_rec" ] && grep -qi 'warning' "$out/s.err" && fail "maptrail-record warned: $(grep -i warning "$out/s.err")"

# --- 5. the captures, read by trace-cmd and by maptrail -------------------------------
for cap in $caps; do
	trace-cmd report -i "$out/$cap.dat" > /dev/null 2> "$work/$cap.report.err" ||
		fail "trace-cmd report cannot read $cap.dat: $(cat "$work/$cap.report.err")"
	[ ! -s "$work/$cap.report.err" ] || fail "trace-cmd report complained about $cap.dat: $(cat "$work/$cap.report.err")"
	"$maptrail" analyze "$out/$cap.dat" -o "$out/$cap.db" -q 2> "$work/$cap.analyze.err" ||
		fail "maptrail analyze refused $cap.dat: $(cat "$work/$cap.analyze.err")"
	want=$("$lib/report-count.sh" "$out/$cap.dat")
	got=$(sqlite3 -batch -noheader "$out/$cap.db" "SELECT event_count FROM capture")
	[ "$want" = "$got" ] || fail "$cap.dat: trace-cmd report prints $want events, analyze loaded $got"
	lost=$(sqlite3 -batch -noheader "$out/$cap.db" "SELECT lost_events + lost_unknown FROM capture")
	[ "$lost" = 0 ] || fail "$cap.dat: events lost"
	echo "ok: $cap.dat: trace-cmd report and maptrail analyze both read $want events"
done

# The flight recorder on kprobes: the exec trigger on the kprobe event
# maptrail/mprotect_x64 froze the buffer at the workload's mprotect to RX.
[ "$(cat "$out/f.names")" = "$(grep -o 'maptrail-[0-9]*T[0-9]*Z-exec.dat' "$out/f.names")" ] ||
	fail "flight: not one exec dump: $(cat "$out/f.names")"
trace-cmd report -i "$out/f.dat" > "$work/f.txt" 2> "$work/f.report.err" && [ ! -s "$work/f.report.err" ] ||
	fail "trace-cmd report cannot read the flight dump: $(cat "$work/f.report.err")"
"$maptrail" analyze "$out/f.dat" -o "$out/f.db" -q 2> "$work/f.analyze.err" ||
	fail "maptrail analyze refused the flight dump: $(cat "$work/f.analyze.err")"
read -r faddr flen < <(sed -n 's/^call=mprotect abi=native .* addr=\(0x[0-9a-f]*\) len=\([0-9]*\) prot=0x5 .*/\1 \2/p' \
	"$out/f.out" | head -1)
[ -n "$faddr" ] || fail "flight: the workload printed no mprotect to RX: $(head -5 "$out/f.out")"
got=$(sqlite3 -batch -noheader "$out/f.db" "SELECT f.trigger || ' ' || f.trigger_event || ' ' ||
	printf('0x%x', c.addr) || ' ' || c.len || ' ' || c.prot FROM flight f JOIN flight_call c USING (capture_id)")
[ "$got" = "exec maptrail/mprotect_x64 $faddr $flen 5" ] ||
	fail "flight: trigger and call: '$got', the workload's mprotect RX was $faddr $flen
$(sqlite3 "$out/f.db" "SELECT * FROM flight")"
# (trace-cmd prints the kprobe's u64 addr in decimal)
line=$(grep -E " mprotect_x64: .* addr=$((faddr)) len=$flen prot=5\$" "$work/f.txt" | tail -1 || true)
cpu=$(sed -E 's/.*\[0*([0-9]+)\].*/\1/' <<< "$line")
[ -n "$line" ] && [ "$(grep -E "\[0*$cpu\]" "$work/f.txt" | tail -1)" = "$line" ] ||
	fail "flight: the triggering mprotect is not the last event of its CPU"
sqlite3 -batch -noheader "$out/f.db" "SELECT count(*) FROM findings WHERE detection = 'flight-trigger'" |
	grep -qx 1 || fail "flight: no flight-trigger finding"
echo "ok: flight recorder on kprobes: trigger exec on maptrail/mprotect_x64 froze the buffer at mprotect($faddr, $flen, RX)"

# check.py checks the names only where the workload printed them (older fixtures did not)
for cap in $caps; do
	[ "$(grep -c '^file=' "$out/$cap.out")" = 3 ] || fail "$cap.out: the workload printed no file= lines"
done
python3 "$here/check.py" "$out" "$kernel"

echo "VM test passed in $(elapsed "$t0") s (VM $vm_time s)"
