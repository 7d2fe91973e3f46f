#!/bin/busybox sh
# PID 1 of the VM test (tests/vm/run.sh copies this file to /init of the
# initramfs).  Runs on Debian's kernel under qemu, as root, with busybox,
# maptrail (and the shared libraries it needs) and /workload (vmwork.c).
#
# Steps, each reported on the console as "@@ step NAME rc=N":
#   kprobe-smoke       a hand-written kprobe on __x64_sys_mprotect (group
#                      vmtest, top-level buffer) around one run of /workload:
#                      proves kprobes fire here, whatever maptrail does
#   plan               maptrail record --plan (backend auto)
#   record-kprobe      maptrail record --backend kprobe -o k.dat -- /workload
#   record-tracepoint  maptrail record --backend tracepoint -o t.dat -- /workload
#   record-static      maptrail-record (statically linked) --plan, -o s.dat --
#                      /workload and --cleanup, chrooted where nothing else is
#   record-flight      maptrail record --flight --backend kprobe --trigger exec
#                      -- /workload: the kprobe event's trigger freezes the
#                      buffer at the workload's mprotect to RX (f.dat)
# Everything lands in /tmp/out, with the tracing state before and after the
# recordings and a SHA256SUMS of every file; /tmp/out goes back to the host as
# a gzipped tar, raw on the second serial port (ttyS1, a file on the host),
# announced by "@@ send SIZE SHA256" and followed by "@@ sent".  The host
# checks the tar's size and sha256, then every file against SHA256SUMS.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /sbin /usr/sbin /usr/bin
/bin/busybox --install -s

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing
T=/sys/kernel/tracing
O=/tmp/out
mkdir -p $O

up() { cut -d' ' -f1 /proc/uptime; }
step() {
	local name=$1 rc
	shift
	"$@"
	rc=$?
	echo "@@ step $name rc=$rc up=$(up)"
}

echo "@@ boot kernel=$(uname -r) up=$(up)"

# --- kprobes by hand ----------------------------------------------------------
smoke() {
	echo 'p:vmtest/mprot __x64_sys_mprotect addr=+0x70(%di):x64 len=+0x68(%di):u64 prot=+0x60(%di):x64' \
		>> $T/kprobe_events || return 1
	echo > $T/trace
	echo 1 > $T/events/vmtest/mprot/enable || return 1
	/workload > $O/smoke.out
	local rc=$?
	echo 0 > $T/events/vmtest/mprot/enable
	cat $T/trace > $O/smoke-trace.txt
	echo > $T/trace
	echo '-:vmtest/mprot' >> $T/kprobe_events || return 1
	return $rc
}
step kprobe-smoke smoke

# --- maptrail -------------------------------------------------------------------
state() {
	echo "kprobe_events:"; cat $T/kprobe_events
	echo "dynamic_events:"; cat $T/dynamic_events
	echo "instances: $(ls $T/instances)"
	for f in tracing_on current_tracer set_event set_event_pid trace_options buffer_size_kb; do
		echo "$f: $(cat $T/$f | tr '\n' ' ')"
	done
}
state > $O/state-before.txt
step plan sh -c "maptrail record --plan > $O/plan.txt 2>&1"
step record-kprobe sh -c "maptrail record --backend kprobe -o $O/k.dat -- /workload > $O/k.out 2> $O/k.err"
step record-tracepoint sh -c "maptrail record --backend tracepoint -o $O/t.dat -- /workload > $O/t.out 2> $O/t.err"
# maptrail-record, the static build, where there is no libc: a root holding
# nothing but it and the (static) workload, with the kernel's file systems.
bare() {
	local B=/tmp/bare rc
	mkdir -p $B/proc $B/sys $B/out $B/tmp
	cp /usr/bin/maptrail-record /workload $B/
	mount -t proc proc $B/proc
	mount -t sysfs sysfs $B/sys
	mount -t tracefs tracefs $B/sys/kernel/tracing
	(cd $B && find . -path ./proc -prune -o -path ./sys -prune -o -print) > $O/bare-files.txt
	chroot $B /maptrail-record --plan > $O/s-plan.txt 2>&1 &&
		chroot $B /maptrail-record --backend kprobe -o /out/s.dat -- /workload > $O/s.out 2> $O/s.err
	rc=$?
	chroot $B /maptrail-record --cleanup >> $O/s.err 2>&1 || rc=1
	cp $B/out/s.dat $O/s.dat
	umount $B/sys/kernel/tracing $B/sys $B/proc
	return $rc
}
[ -x /usr/bin/maptrail-record ] && step record-static bare
flight() {
	mkdir -p /tmp/flight
	maptrail record --flight --backend kprobe --trigger exec -o /tmp/flight -- /workload \
		> $O/f.out 2> $O/f.err || return 1
	ls /tmp/flight > $O/f.names
	set -- /tmp/flight/maptrail-*-exec.dat
	[ -f "$1" ] && cp "$1" $O/f.dat
}
step record-flight flight
state > $O/state-after.txt
cat $O/k.err

# --- back to the host -----------------------------------------------------------
(cd $O && sha256sum * > SHA256SUMS)
echo "@@ sha256 k.dat $(sha256sum $O/k.dat 2>/dev/null | cut -d' ' -f1)"
tar -C $O -cf - . | gzip -1 > /tmp/out.tgz
echo "@@ send $(wc -c < /tmp/out.tgz) $(sha256sum /tmp/out.tgz | cut -d' ' -f1)"
stty -F /dev/ttyS1 raw -echo
cat /tmp/out.tgz > /dev/ttyS1
echo "@@ sent up=$(up)"
poweroff -f
