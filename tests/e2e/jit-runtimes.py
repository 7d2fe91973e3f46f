#!/usr/bin/env python3
"""Checks tests/e2e/jit-runtimes.sh's databases (see its header).

    jit-runtimes.py WORK LUAJIT_PATH NODE_PATH PYTHON_PATH FAKE_PATH [JAVA_PATH]

WORK holds NAME.db, NAME.err (the recorder's stderr, with "(pid N) exited")
and NAME.out (the command's stdout) for luajit, node, ctypes, fake (and java).  The
paths are the executables' real paths, read with readlink -f by the script:
the independent account of what findings.exe must say.
"""
import re
import sqlite3
import sys

RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}
# A runtime's findings once grouped: one per detection and kind of change.
GROUPS_MAX = 6
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def command_pid(work, name):
    m = re.search(r"\(pid (\d+)\) exited with status 0", open(f"{work}/{name}.err").read())
    if not m:
        sys.exit(f"FAIL: {name}: no '(pid N) exited' line from the recorder")
    return int(m.group(1))


def findings(work, name, pid):
    db = sqlite3.connect(f"{work}/{name}.db")
    db.row_factory = sqlite3.Row
    rows = db.execute("SELECT * FROM findings WHERE pid = ? ORDER BY id", (pid,)).fetchall()
    everyone = db.execute("SELECT count(*) FROM findings").fetchone()[0]
    rules = {(r["source"], r["line"]): r for r in db.execute("SELECT * FROM severity_rule")}
    return rows, everyone, rules


def runtime(work, name, path, label):
    """A JIT runtime: findings kept, none high, each one above low lowered by its rule."""
    pid = command_pid(work, name)
    rows, everyone, rules = findings(work, name, pid)
    lowered = [r for r in rows if r["lowered_by"]]
    by_detection = {}
    for r in rows:
        key = (r["detection"], r["detection_severity"], r["severity"])
        by_detection[key] = by_detection.get(key, 0) + 1
    print(f"{name} (pid {pid}, {path}): {len(rows)} findings ({everyone} in the capture),"
          f" {sum(r['severity'] == 'high' for r in rows)} high, {len(lowered)} lowered;"
          f" by detection (judged -> final): " +
          ", ".join(f"{d} {j}->{s} x{n}" for (d, j, s), n in sorted(by_detection.items())))
    check(lowered, f"{name}: no finding was lowered: the test proves nothing")
    # grouped (issue 12): thousands of JIT calls are a handful of findings, each counting
    # every call it groups in finding_evidence
    check(len(rows) <= GROUPS_MAX, f"{name}: {len(rows)} findings, more than a handful"
          f" ({GROUPS_MAX}) of groups")
    db = sqlite3.connect(f"{work}/{name}.db")
    for r in rows:
        n = db.execute("SELECT count(*) FROM finding_evidence WHERE finding_id = ?",
                       (r["id"],)).fetchone()[0]
        check(n == r["calls"], f"{name}: finding {r['id']} counts {r['calls']} calls,"
              f" its evidence has {n}")
    for r in rows:
        where = f"{name}: finding {r['id']} ({r['detection']})"
        check(r["severity"] != "high", f"{where}: high in a known runtime")
        check(r["exe"] == path, f"{where}: exe {r['exe']!r}, the runtime is {path!r}")
        check(r["ppid"] is not None, f"{where}: no parent")
        if r["cmdline"] is not None:
            check(r["cmdline"].split(" ")[0].endswith(name), f"{where}: cmdline {r['cmdline']!r}")
        judged = RANK[r["detection_severity"]]
        if judged <= RANK["low"]:
            check(r["lowered_by"] is None and r["severity"] == r["detection_severity"],
                  f"{where}: judged {r['detection_severity']}, yet changed: {r['lowered_by']!r}")
            continue
        m = re.match(r"runtimes\.rules:(\d+): (.*)$", r["lowered_by"] or "")
        if not check(m, f"{where}: judged {r['detection_severity']}, lowered_by"
                     f" {r['lowered_by']!r} names no rule of maptrail's"):
            continue
        rule = rules.get(("runtimes.rules", int(m.group(1))))
        check(rule is not None and rule["text"] == m.group(2) and label in rule["text"],
              f"{where}: lowered_by {r['lowered_by']!r} is not a {label} row of severity_rule")
        check(r["severity"] == "low", f"{where}: {r['severity']}, the rule says low")


def loader(work, name, path):
    """An unknown loader: its W->X stays high, unlowered, at the address it printed."""
    pid = command_pid(work, name)
    out = open(f"{work}/{name}.out").read().split()
    check(out[:1] == ["42"], f"{name}: the loaded code did not return 42: {out}")
    addr = int(out[1], 16)
    rows, _, _ = findings(work, name, pid)
    hits = [r for r in rows if r["detection"] == "exec-after-write" and r["addr"] == addr]
    print(f"{name} (pid {pid}, {path}): {len(rows)} findings,"
          f" {sum(r['severity'] == 'high' for r in rows)} high; exec-after-write at {hex(addr)}:"
          f" {[(r['severity'], r['lowered_by']) for r in hits]}")
    if check(hits, f"{name}: no exec-after-write finding at {hex(addr)}"):
        for r in hits:
            check(r["severity"] == "high" and r["detection_severity"] == "high"
                  and r["lowered_by"] is None,
                  f"{name}: exec-after-write at {hex(addr)} is {r['severity']}"
                  f" (lowered_by {r['lowered_by']!r}): an unknown loader must stay high")
            check(r["exe"] == path, f"{name}: exe {r['exe']!r}, it ran {path!r}")
            check(r["ppid"] is not None, f"{name}: no parent")


def main():
    work, luajit, node, python, fake = sys.argv[1:6]
    runtime(work, "luajit", luajit, "LuaJIT")
    runtime(work, "node", node, "node (V8)")
    if len(sys.argv) > 6:
        runtime(work, "java", sys.argv[6], "JVM")
    loader(work, "ctypes", python)
    loader(work, "fake", fake)
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print("ok: runtimes lowered by their rows with their real paths; the loaders stay high")


main()
