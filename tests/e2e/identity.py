#!/usr/bin/env python3
"""Check the identity records of a capture against what the workload saw.

    identity.py CHECK TRACE.dat WORKDIR [ARGS...]

The records are read with trace-cmd report (the independent reader): every
maptrail:<kind> line of ftrace:print, its TAB-separated fields unescaped.
CHECK is one of memfd, shm, attach, tracer, system, maps, doublemap (see each function);
the workload's own output (identity.c) and its /proc/self/maps are in WORKDIR.
Exit 0 when everything holds; otherwise one line per failure and exit 1.
"""
import os
import re
import subprocess
import sys

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def unescape(field):
    out = bytearray()
    i = 0
    b = field.encode("utf-8", "surrogateescape")
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = b[i + 1]
            if n == 0x5C:
                out.append(0x5C); i += 2; continue
            if n == ord("t"):
                out.append(9); i += 2; continue
            if n == ord("n"):
                out.append(10); i += 2; continue
            if n == ord("x") and i + 3 < len(b):
                out.append(int(b[i + 2:i + 4], 16)); i += 4; continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "surrogateescape")


def records(trace):
    """[(ts, kind, [fields])] in file order, and the raw report lines."""
    text = subprocess.run(["trace-cmd", "report", trace], check=True, capture_output=True,
                          text=True, errors="surrogateescape").stdout
    recs = []
    for line in text.splitlines():
        m = re.search(r"\s(\d+\.\d+): print:\s.*?maptrail:(\w+) v1\t?(.*)$", line)
        if not m:
            continue
        fields = [unescape(f) for f in m.group(3).split("\t")] if m.group(3) else []
        recs.append((float(m.group(1)), m.group(2), fields))
    return recs, text.splitlines()


def workload_out(work, name):
    """key=value lines of the workload's stdout: {'pid': '12', 'memfd': {...}, ...}"""
    out = {"thread": []}
    with open(os.path.join(work, name + ".out")) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("pid="):
                out["pid"] = int(line[4:])
            elif line.startswith("thread tid="):
                out["thread"].append(int(line[len("thread tid="):]))
            elif " " in line:
                kind, rest = line.split(" ", 1)
                d = {}
                for m in re.finditer(r"(\w+)=(.*?)(?= \w+=|$)", rest):
                    d[m.group(1)] = m.group(2)
                out[kind] = d
    return out


def of_kind(recs, kind, tgid=None):
    return [r for r in recs if r[1] == kind and (tgid is None or r[2][0] == str(tgid))]


def check_proc(recs, pid, reason, exe=None, comm=None):
    procs = [r for r in of_kind(recs, "proc", pid) if r[2][6] == reason]
    if not procs:
        fail("no maptrail:proc record of %s with reason %s (have: %s)" %
             (pid, reason, [r[2] for r in of_kind(recs, "proc", pid)]))
        return None
    p = procs[0][2]
    if len(p) != 7:
        fail("proc record of %s has %d fields: %s" % (pid, len(p), p))
    if exe and p[5] != exe:
        fail("proc %s: exe %r, expected %r" % (pid, p[5], exe))
    if comm and p[4] != comm:
        fail("proc %s: comm %r, expected %r" % (pid, p[4], comm))
    return procs[0]


def file_at(recs, pid, addr):
    return [r[2] for r in of_kind(recs, "file", pid) if int(r[2][2], 16) == addr]


def check_memfd(recs, work):
    """A fileless loader: the exec snapshot, and the memfd's name behind its mmap."""
    w = workload_out(work, "memfd")
    pid, m = w["pid"], w["memfd"]
    check_proc(recs, pid, "exec", exe=os.environ["IDENTITY_BIN"], comm="identity")
    cmd = [r[2] for r in of_kind(recs, "cmdline", pid)]
    if not cmd or cmd[0][1:3] != ["0", "1"] or not cmd[0][3].endswith("\0memfd\0" + work + "/memfd.maps"):
        fail("cmdline of %d: %s" % (pid, cmd))
    files = file_at(recs, pid, int(m["addr"], 16))
    if not files:
        fail("no maptrail:file record at %s" % m["addr"])
        return
    f = files[0]
    if f[5] != m["path"] or f[6] != "maps" or f[4] != m["fd"] or f[3] != m["len"]:
        fail("memfd file record %s, expected path %r how maps fd %s len %s" %
             (f, m["path"], m["fd"], m["len"]))
    if not f[5].startswith("/memfd:maptrail-payload"):
        fail("memfd not recognisable: %r" % f[5])
    # the same line in the workload's own maps, dev and inode included
    with open(os.path.join(work, "memfd.maps")) as fm:
        line = [l.split() for l in fm if l.startswith("%x-" % int(m["addr"], 16))]
    if not line or line[0][3] != f[7] or line[0][4] != f[8]:
        fail("memfd record dev/inode %s %s, /proc/self/maps: %s" % (f[7], f[8], line))
    for r in recs:
        if r[1] == "file" and r[2][6] not in ("maps", "fd", "gone"):
            fail("file record with how %r" % r[2][6])
        if r[1] == "file" and r[2][6] == "gone" and (r[2][5] or r[2][7] or r[2][8]):
            fail("a gone file record names something: %s" % r[2])


def check_shm(recs, work):
    """dlopen from /dev/shm: each mmap of the library names it, on a tmpfs."""
    w = workload_out(work, "shm")
    pid, s = w["pid"], w["shm"]
    files = [f for f in (r[2] for r in of_kind(recs, "file", pid)) if f[5] == s["path"]]
    if not files:
        fail("no maptrail:file record names %s" % s["path"])
        return
    if int(files[0][2], 16) != int(s["addr"], 16):
        fail("first mapping of %s at %s, the library's base is %s" %
             (s["path"], files[0][2], s["addr"]))
    mounts = {r[2][0]: r[2] for r in of_kind(recs, "mount")}
    dev = files[0][7]
    if dev not in mounts or mounts[dev][1] != "tmpfs":
        fail("dev %s of %s is not a tmpfs mount: %s" % (dev, s["path"], mounts.get(dev)))


def maps_lines(path):
    out = []
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split(None, 5)
            start, end = p[0].split("-")
            out.append(("0x%x" % int(start, 16), "0x%x" % int(end, 16), p[1],
                        "0x%x" % int(p[2], 16), p[3], p[4], p[5] if len(p) > 5 else ""))
    return out


def check_attach(recs, work, name):
    """-p of a process with threads: its snapshot is /proc as the process saw it."""
    w = workload_out(work, name)
    pid = w["pid"]
    check_proc(recs, pid, "attach", exe=os.environ["IDENTITY_BIN"], comm="identity")
    tids = sorted(int(r[2][1]) for r in of_kind(recs, "thread", pid))
    want = sorted([pid] + w["thread"])
    if tids[:len(want)] != want or len(tids) != len(want):
        fail("threads of %d: %s, expected %s" % (pid, tids, want))
    maps = [tuple(r[2][1:]) for r in of_kind(recs, "map", pid)]
    mine = maps_lines(os.path.join(work, name + ".maps"))
    first = maps[:len(mine)]
    if first != mine:
        diff = [(a, b) for a, b in zip(first, mine) if a != b][:3]
        fail("maps of %d differ from its /proc/self/maps (%d records, %d lines): %s" %
             (pid, len(first), len(mine), diff or "lengths"))
    ends = of_kind(recs, "mapsend", pid)
    if not ends or int(ends[0][2][1]) != len(mine):
        fail("mapsend of %d: %s, %d lines" % (pid, ends[:1], len(mine)))


def check_tracer(recs, lines, work, victim_name, gdb_pid):
    """-p VICTIM and gdb injecting: gdb joins as a tracer, its ptrace calls recorded."""
    w = workload_out(work, victim_name)
    pid = w["pid"]
    tr = [r for r in of_kind(recs, "tracer") if r[2][2] == str(pid)]
    if not tr:
        fail("no maptrail:tracer record aimed at %d" % pid)
        return
    t = tr[0][2]
    if t[0] != str(gdb_pid) or t[3] != "ptrace":
        fail("tracer record %s, expected gdb %d calling ptrace" % (t, gdb_pid))
    check_proc(recs, gdb_pid, "tracer", exe=os.path.realpath(os.environ["GDB_BIN"]))
    calls = [l for l in lines if re.search(r"-%d +\[\d+\].*sys_enter_ptrace:" % gdb_pid, l)]
    if len(calls) < 5:
        fail("only %d ptrace calls of gdb %d recorded" % (len(calls), gdb_pid))
    check_injected(lines, work, pid)


def check_injected(lines, work, pid):
    """The victim's mmap(0, 4096, 7, 0x22, -1, 0) that gdb made it call, and its return."""
    with open(os.path.join(work, "gdb.out")) as f:
        m = re.search(r"\(void \*\) (0x[0-9a-f]+)", f.read())
    if not m:
        fail("gdb printed no address")
        return
    text = "\n".join(l for l in lines if re.search(r"-%d +\[" % pid, l))
    if not re.search(r"sys_enter_mmap: +addr: 0x00000000, len: 0x00001000, prot: 0x00000007, "
                     r"flags: 0x00000022", text):
        fail("the injected RWX mmap of %d is not in the capture" % pid)
    if not re.search(r"sys_exit_mmap: +%s" % m.group(1), text):
        fail("no sys_exit_mmap of %d returned %s" % (pid, m.group(1)))


def check_system(recs, lines, work, victim_name, gdb_pid):
    """System-wide: a process there before the start has its name; gdb's calls are there."""
    w = workload_out(work, victim_name)
    pid = w["pid"]
    check_proc(recs, pid, "start", exe=os.environ["IDENTITY_BIN"], comm="identity")
    if not any(int(r[2][0]) == gdb_pid and r[2][6] in ("new", "exec") for r in
               of_kind(recs, "proc")):
        fail("no snapshot of gdb %d (new or exec)" % gdb_pid)
    elif not any(int(r[2][0]) == gdb_pid and r[2][5] == os.path.realpath(os.environ["GDB_BIN"])
                 for r in of_kind(recs, "proc")):
        fail("no snapshot of gdb %d names %s" % (gdb_pid, os.environ["GDB_BIN"]))
    attach = [l for l in lines if re.search(r"-%d +\[\d+\].*sys_enter_ptrace: +request: "
                                            r"0x000000(10|4206), pid: 0x%08x" % (gdb_pid, pid), l)]
    if not attach:
        fail("no PTRACE_ATTACH/SEIZE of %d by gdb %d in the capture" % (pid, gdb_pid))
    check_injected(lines, work, pid)


def check_maps(recs, work):
    """A file mapped, then closed and unlinked: found in maps, named as deleted."""
    w = workload_out(work, "maps")
    pid, f = w["pid"], w["file"]
    files = file_at(recs, pid, int(f["addr"], 16))
    want = f["path"].replace(" (deleted)", "")
    if not files or not files[0][5].startswith(want) or files[0][6] != "maps":
        fail("file record at %s: %s, expected %s (deleted or not)" % (f["addr"], files, want))


def check_doublemap(recs, lines, work):
    """A JIT's W^X by double mapping: N pages of one memfd, each mapped shared rw- and r-x."""
    w = workload_out(work, "doublemap")
    pid, d = w["pid"], w["doublemap"]
    n, fd = int(d["n"]), int(d["fd"])
    views = {3: 0, 5: 0}
    for line in lines:
        m = re.search(r"-(\d+)\s+\[\d+\].*sys_enter_mmap:.* prot: (0x[0-9a-f]+), flags: (0x[0-9a-f]+),"
                      r" fd: (0x[0-9a-f]+)", line)
        if m and int(m.group(1)) == pid and int(m.group(3), 16) == 1 and int(m.group(4), 16) == fd:
            prot = int(m.group(2), 16)
            views[prot] = views.get(prot, 0) + 1
    if views[3] != n or views[5] != n:
        fail("doublemap: trace-cmd report shows %s shared mmaps of fd %d by prot, want %d rw- and"
             " %d r-x" % (views, fd, n, n))
    # fd 3 was ld.so's before it was the memfd's: a record of one of the libraries may name
    # the memfd too (the recorder read /proc/PID/fd/3 late; analyze judges that by time)
    named = [r[2] for r in of_kind(recs, "file", pid) if r[2][4] == str(fd)]
    if not any(f[5] == d["path"] for f in named):
        fail("doublemap: no file record of fd %d names %s: %s" % (fd, d["path"], named[:3]))


def main():
    check, trace, work = sys.argv[1:4]
    recs, lines = records(trace)
    if not recs:
        fail("%s: no maptrail records in trace-cmd report" % trace)
    elif check == "memfd":
        check_memfd(recs, work)
    elif check == "shm":
        check_shm(recs, work)
    elif check == "attach":
        check_attach(recs, work, sys.argv[4])
    elif check == "tracer":
        check_attach(recs, work, sys.argv[4])
        check_tracer(recs, lines, work, sys.argv[4], int(sys.argv[5]))
    elif check == "system":
        check_system(recs, lines, work, sys.argv[4], int(sys.argv[5]))
    elif check == "maps":
        check_maps(recs, work)
    elif check == "doublemap":
        check_doublemap(recs, lines, work)
    else:
        fail("unknown check " + check)
    if failures:
        sys.exit(1)
    print("identity.py %s: ok (%d records)" % (check, len(recs)))


main()
