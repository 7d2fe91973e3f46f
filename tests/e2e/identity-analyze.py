#!/usr/bin/env python3
"""Check what maptrail analyze makes of issue 13's real recordings.

    identity-analyze.py MAPTRAIL KEEPDIR

KEEPDIR holds what tests/e2e/identity.sh recorded (KEEP=KEEPDIR): NAME.dat,
the workload's own output NAME.out (its pid, the address and path it saw)
and its own /proc/self/maps NAME.maps.  Each capture is analyzed, and:

  memfd   exec-memfd, high, on the loader's pid, at the address it printed,
          naming the memfd's path as /proc/self/fd showed it to the loader
  shm     exec-writable-place, high, on its pid, naming the /dev/shm library
  maps    the file it unlinked: vma_file names it as maps did, deleted, /tmp
  attach  -p of a process with 3 threads: one process (the threads joined),
          its executable and command line
  tracer  -p VICTIM while gdb injects: code-injected on the victim naming gdb
          (pid from trace-cmd report's ptrace events, /usr/bin/gdb, gdb -p VICTIM)
  system  the same, system-wide, and the address gdb printed
  doublemap  one memfd's 2,000 pages each mapped shared rw- and r-x (a JIT's W^X by
          double mapping): shared-wx-file, medium, and exec-memfd, high, each one
          finding naming the memfd with every r-x view as evidence, and no private
          mapping (ld.so's libraries, fd 3 before the memfd) named after it

and every capture's workload maps are compared with vma_history
(maps-compare.py: every range known and equal).  Prints the table of the
closing note (technique, finding, severity, pid, file, tracer) and the maps
comparison; exits 1 on any failure.
"""
import os
import re
import sqlite3
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
failures = []
table = []
maps_rows = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def out_of(keep, name):
    """The workload's own lines: pid=N, and KEY=VALUE pairs of its other lines."""
    info = {}
    with open(os.path.join(keep, name + ".out")) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"pid=(\d+)$", line)
            if m:
                info["pid"] = int(m.group(1))
                continue
            m = re.match(r"(\w+) addr=(0x[0-9a-f]+)(?: len=\d+)?(?: fd=\d+)? path=(.*)$", line)
            if m:
                info["what"], info["addr"], info["path"] = m.group(1), int(m.group(2), 16), \
                    m.group(3)
            m = re.match(r"doublemap n=(\d+) fd=\d+ path=(.*)$", line)
            if m:
                info["what"], info["n"], info["path"] = "doublemap", int(m.group(1)), m.group(2)
            m = re.match(r"thread tid=(\d+)$", line)
            if m:
                info.setdefault("threads", []).append(int(m.group(1)))
    return info


def analyze(maptrail, keep, name):
    dat, db = os.path.join(keep, name + ".dat"), os.path.join(keep, name + ".db")
    r = subprocess.run([maptrail, "analyze", dat, "-o", db, "--force", "-q"],
                       capture_output=True, text=True)
    if r.returncode:
        fail("%s: analyze failed: %s" % (name, r.stderr.strip()))
        return None
    return sqlite3.connect(db)


def findings(db, detection, pid):
    return db.execute("SELECT severity, addr, len, summary FROM findings WHERE detection = ?"
                      " AND pid = ? ORDER BY ts", (detection, pid)).fetchall()


def maps_compare(keep, name, pid, db_name=None):
    db = os.path.join(keep, (db_name or name) + ".db")
    r = subprocess.run([sys.executable, os.path.join(here, "maps-compare.py"), db,
                        os.path.join(keep, name + ".maps"), str(pid)],
                       capture_output=True, text=True)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr.strip()
    maps_rows.append((db_name or name, pid, last))
    if r.returncode:
        fail("%s: maps of %d against vma_history: %s" % (db_name or name, pid, r.stdout.strip()
                                                          or r.stderr.strip()))


def tracers(keep, name, victim):
    """(tracer pid) of the ptrace calls on victim's threads, as trace-cmd report shows them."""
    text = subprocess.run(["trace-cmd", "report", os.path.join(keep, name + ".dat")],
                          capture_output=True, text=True, errors="replace").stdout
    pids = set()
    for line in text.splitlines():
        m = re.search(r"-(\d+)\s+\[\d+\].*sys_enter_ptrace:\s+request: (0x[0-9a-f]+|\d+),"
                      r" pid: (0x[0-9a-f]+|\d+)", line)
        if m and int(m.group(3), 0) == victim:
            pids.add(int(m.group(1)))
    return pids


def check_memfd(maptrail, keep):
    o, db = out_of(keep, "memfd"), analyze(maptrail, keep, "memfd")
    if not db:
        return
    got = findings(db, "exec-memfd", o["pid"])
    want = "of %s " % o["path"]
    ok = [f for f in got if f[0] == "high" and f[1] == o["addr"] and want in f[3]
          and "fd made by memfd_create" in f[3]]
    if len(ok) != 1:
        fail("memfd: want one high exec-memfd at 0x%x naming %s on pid %d, got %s"
             % (o["addr"], o["path"], o["pid"], got))
    table.append(("memfd loader (memfd_create, mmap r-x)", "exec-memfd",
                  ok[0][0] if ok else "-", o["pid"], o["path"], "-"))
    maps_compare(keep, "memfd", o["pid"])


def check_shm(maptrail, keep):
    o, db = out_of(keep, "shm"), analyze(maptrail, keep, "shm")
    if not db:
        return
    got = findings(db, "exec-writable-place", o["pid"])
    ok = [f for f in got if f[0] == "high" and "of %s " % o["path"] in f[3]
          and o["addr"] <= f[1] < o["addr"] + (1 << 20)]
    if len(ok) != 1:
        fail("shm: want one high exec-writable-place naming %s on pid %d, got %s"
             % (o["path"], o["pid"], got))
    table.append(("dlopen() from /dev/shm", "exec-writable-place", ok[0][0] if ok else "-",
                  o["pid"], o["path"], "-"))
    maps_compare(keep, "shm", o["pid"])


def check_maps(maptrail, keep):
    o, db = out_of(keep, "maps"), analyze(maptrail, keep, "maps")
    if not db:
        return
    row = db.execute("SELECT path, path_source, deleted, place FROM vma_history_file WHERE pid = ?"
                     " AND start_addr = ? AND change = 'mapped'", (o["pid"], o["addr"])).fetchone()
    if not row or row[0] != o["path"] or row[2] != 1 or row[3] != "/tmp":
        fail("maps: the unlinked file at 0x%x: want %s, deleted, under /tmp; got %s"
             % (o["addr"], o["path"], row))
    # It was mapped readable only: no detection of executable files may fire on it.  (Others
    # may, rightly: when the build tree is under /tmp, the workload's own executable is an
    # executable file in a world-writable place.)
    for det in ("exec-deleted", "exec-writable-place", "exec-memfd", "shared-wx-file"):
        on_it = [f for f in findings(db, det, o["pid"]) if f[1] == o["addr"]]
        if on_it:
            fail("maps: %s fired on a read-only mapping: %s" % (det, on_it))
    table.append(("file mapped, closed, unlinked (read only)", "none (vma_file: deleted, /tmp)",
                  "-", o["pid"], row[0] if row else "?", "-"))
    maps_compare(keep, "maps", o["pid"])


def check_doublemap(maptrail, keep):
    """Each r-x view is evidence of both findings; no other mapping is named after the memfd."""
    o, db = out_of(keep, "doublemap"), analyze(maptrail, keep, "doublemap")
    if not db:
        return
    got = {}
    for det in ("shared-wx-file", "exec-memfd"):
        got[det] = db.execute(
            "SELECT f.severity, (SELECT count(*) FROM finding_evidence e JOIN mmap m"
            "  ON e.call = 'mmap' AND m.id = e.call_id WHERE e.finding_id = f.id"
            "  AND m.prot = 5 AND (m.flags & 1) != 0) FROM findings f"
            " WHERE f.detection = ? AND f.pid = ? AND instr(f.kind, ?) > 0",
            (det, o["pid"], o["path"])).fetchall()
    want = {"shared-wx-file": "medium", "exec-memfd": "high"}
    for det, severity in want.items():
        if got[det] != [(severity, o["n"])]:
            fail("doublemap: want one %s %s naming %s with its %d r-x views as evidence, got %s"
                 % (severity, det, o["path"], o["n"], got[det]))
    named = db.execute("SELECT count(*) FROM vma_file v JOIN mmap m ON m.id = v.map_call_id"
                       " WHERE v.map_call = 'mmap' AND v.pid = ? AND v.path = ?"
                       " AND (m.flags & 1) = 0", (o["pid"], o["path"])).fetchone()[0]
    if named:
        fail("doublemap: %d private mappings named after the memfd (all its views are shared)"
             % named)
    table.append(("JIT W^X by double mapping (one memfd, %d pages shared rw- and r-x)" % o["n"],
                  "shared-wx-file, exec-memfd",
                  ", ".join(g[0][0] if g else "-" for g in got.values()), o["pid"], o["path"],
                  "-"))
    maps_compare(keep, "doublemap", o["pid"])


def check_attach(maptrail, keep):
    o, db = out_of(keep, "attach"), analyze(maptrail, keep, "attach")
    if not db:
        return
    pid = o["pid"]
    tids = sorted(t for (t,) in db.execute("SELECT tid FROM snapshot_thread WHERE tgid = ?",
                                           (pid,)))
    if tids != sorted([pid] + o.get("threads", [])):
        fail("attach: threads of %d: got %s, the victim printed %s" % (pid, tids, o["threads"]))
    per_thread = db.execute("SELECT count(*) FROM vma_history WHERE pid IN (%s)"
                            % ",".join(str(t) for t in o.get("threads", [0]))).fetchone()[0]
    if per_thread:
        fail("attach: %d vma_history rows keyed by a thread, not the process" % per_thread)
    ctx = db.execute("SELECT exe, cmdline, source FROM process_context WHERE pid = ?",
                     (pid,)).fetchone()
    exe = os.path.realpath(os.environ.get("IDENTITY_BIN", ""))
    if not ctx or ctx[0] != exe or not ctx[1] or " threads 3 " not in ctx[1] + " ":
        fail("attach: process_context of %d: %s (want %s ... threads 3 ...)" % (pid, ctx, exe))
    table.append(("record -p of a process with 3 threads", "none (1 process, %d threads joined)"
                  % len(tids), "-", pid, ctx[0] if ctx else "?", "-"))
    maps_compare(keep, "attach", pid)


def check_injection(maptrail, keep, name, label):
    o, db = out_of(keep, name if name == "system" else "attach"), analyze(maptrail, keep, name)
    if not db:
        return
    victim = o["pid"]
    want_tracers = tracers(keep, name, victim) | set().union(
        *[tracers(keep, name, t) for t in o.get("threads", [])])
    got = findings(db, "code-injected", victim)
    ok = []
    for f in got:
        m = re.search(r"while pid (\d+) (\S+) \[([^]]*)\]", f[3])
        if m and f[0] == "high" and int(m.group(1)) in want_tracers and \
                m.group(2).endswith("/gdb") and ("-p %d" % victim) in m.group(3):
            ok.append((f, int(m.group(1)), m.group(2)))
    if len(ok) != 1:
        fail("%s: want one high code-injected on %d naming gdb (one of %s), got %s"
             % (name, victim, sorted(want_tracers), got))
    if name == "system":
        with open(os.path.join(keep, "gdb.out")) as f:
            m = re.search(r"\$1 = \(void \*\) (0x[0-9a-f]+)", f.read())
        if ok and m and ok[0][0][1] != int(m.group(1), 16):
            fail("system: the finding is at 0x%x, gdb printed %s" % (ok[0][0][1], m.group(1)))
    table.append((label, "code-injected (+ wx-mapping)", ok[0][0][0] if ok else "-", victim,
                  "anonymous rwx", "%d %s" % (ok[0][1], ok[0][2]) if ok else "-"))
    maps_compare(keep, "system" if name == "system" else "attach", victim, db_name=name)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    maptrail, keep = sys.argv[1], sys.argv[2]
    check_memfd(maptrail, keep)
    check_shm(maptrail, keep)
    check_maps(maptrail, keep)
    check_doublemap(maptrail, keep)
    check_attach(maptrail, keep)
    check_injection(maptrail, keep, "tracer", "gdb injecting mmap rwx, record -p VICTIM")
    check_injection(maptrail, keep, "system", "gdb injecting mmap rwx, system-wide")
    print("| technique | finding | severity | pid | file | tracer |")
    print("|---|---|---|---|---|---|")
    for row in table:
        print("| %s |" % " | ".join(str(c) for c in row))
    print()
    print("| capture | pid | maps vs vma_history |")
    print("|---|---|---|")
    for row in maps_rows:
        print("| %s | %d | %s |" % row)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
