#!/usr/bin/env python3
# The fleet suite: real captures (tests/fixtures, analyzed here) exported as
# from different hosts to a two-shard ClickHouse cluster started for the test
# (scripts/clickhouse-cluster.sh), then checked against the SQLite files read
# with Python's sqlite3 module: row counts table by table, the fleet
# questions' answers, idempotence, a killed export, quoting, a server that
# is down.  The servers are stopped by pid at the end.
#   tests/fleet/fleet.py path/to/maptrail
import csv
import hashlib
import io
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

MAPTRAIL = os.path.abspath(sys.argv[1])
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.environ.get("FIXTURES", os.path.join(SRC, "tests", "fixtures"))
CLUSTER = os.path.join(SRC, "scripts", "clickhouse-cluster.sh")
DB = "fleet_test"
# The attempts the fleet questions read.
COMPLETE = "attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)"

# Fixtures (several: analyze --append makes one database of them), and the
# host they are exported as.  alpha has two captures in two files, delta two
# in one; a host name with quotes and a backslash must come back as it went.
CAPTURES = [
    (["mapwork-v6"], "alpha"),
    (["top-v7"], "alpha"),
    (["two-buffers-v7"], "beta"),
    (["vm61-kprobe"], "o'hara \\ \"gamma\""),
    (["mapwork-v7-zstd", "mapwork-v7-none"], "delta"),
]

failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    if not ok:
        failures += 1
        print("FAIL:", what)
    return ok


def run(*args, env=None, ok=True):
    p = subprocess.run([MAPTRAIL, *args], capture_output=True, text=True,
                       env={**os.environ, **(env or {})})
    if ok and p.returncode != 0:
        raise SystemExit("maptrail %s: status %d: %s" % (" ".join(args), p.returncode,
                                                          p.stderr.strip()))
    return p


def ch(urls, question, *params, fmt="csv"):
    args = ["query", "--clickhouse", urls[0], "--database", DB, question, "--format", fmt]
    for p in params:
        args += ["--param", p]
    out = run(*args).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return rows[0] if rows else [], rows[1:]


def cell(v):
    return "" if v is None else str(v)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sqlite_counts(path, capture_id):
    """Rows of each exported table for one capture, read from SQLite directly."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    q = lambda sql: db.execute(sql, (capture_id,)).fetchone()[0]
    calls = [r[0] for r in db.execute(
        "SELECT name FROM schema_event WHERE name IN (SELECT name FROM sqlite_master "
        "WHERE type = 'table')")]
    counts = {
        "captures": q("SELECT count(*) FROM capture WHERE id = ?"),
        "capture_cpus": q("SELECT count(*) FROM capture_cpu WHERE capture_id = ?"),
        "tasks": q("SELECT count(*) FROM task WHERE capture_id = ?"),
        "processes": q("SELECT count(*) FROM process WHERE capture_id = ?"),
        "calls": sum(q('SELECT count(*) FROM "%s" WHERE capture_id = ?' % c) for c in calls),
        "vma_history": q("SELECT count(*) FROM vma_history WHERE capture_id = ?"),
        "findings": q("SELECT count(*) FROM findings WHERE capture_id = ?"),
        "finding_evidence": q("SELECT count(*) FROM finding_evidence WHERE finding_id IN "
                              "(SELECT id FROM findings WHERE capture_id = ?)"),
    }
    db.close()
    return counts


def main():
    if not (shutil.which("clickhouse-server") or os.path.exists("/usr/sbin/clickhouse-server")):
        print("fleet: skipped: no clickhouse-server (scripts/install-deps.sh installs it)")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="maptrail-fleet.")
    cluster_dir = os.path.join(work, "ch")
    started = False
    try:
        # The captures, analyzed to databases.
        # One entry per capture; files holds one entry per database.
        dbs, files = [], []
        for fixtures, host in CAPTURES:
            out = os.path.join(work, fixtures[0] + ".db")
            for i, fixture in enumerate(fixtures):
                run("analyze", os.path.join(FIXTURES, fixture + ".dat"), "-o", out, "-q",
                    *(["--append"] if i else []))
            con = sqlite3.connect("file:%s?mode=ro" % out, uri=True)
            caps = con.execute("SELECT id, sha256 FROM capture ORDER BY id").fetchall()
            con.close()
            check(len(caps) == len(fixtures), "%s holds %d captures" % (out, len(fixtures)))
            f = {"path": out, "host": host, "hash": sha256(out), "captures": len(caps)}
            files.append(f)
            for cid, sha in caps:
                dbs.append({"path": out, "host": host, "id": cid, "sha": sha, "file": f})

        p = subprocess.run([CLUSTER, "start", cluster_dir, "2"], capture_output=True, text=True)
        started = True
        if p.returncode != 0:
            raise SystemExit("cluster did not start: " + p.stderr.strip())
        urls = p.stdout.split()
        assert len(urls) == 2, urls
        cluster = ["--clickhouse", urls[0], "--clickhouse", urls[1], "--cluster", "fleet",
                   "--database", DB]

        def export(d, env=None, ok=True):
            return run("export", d["path"], *cluster, "--host", d["host"], env=env, ok=ok)

        def raw(sql):
            return ch(urls, sql, fmt="csv")[1]

        # A killed export: SIGKILL after its second batch (small batches).
        victim = dbs[2]
        assert victim["host"] == "beta"
        p = export(victim, env={"MAPTRAIL_EXPORT_TEST_KILL_AFTER": "2",
                                "MAPTRAIL_EXPORT_BATCH_BYTES": "20000"}, ok=False)
        check(p.returncode == -signal.SIGKILL, "the export was killed (status %d)" % p.returncode)
        partial = int(raw("SELECT count() FROM calls WHERE capture = '%s'" % victim["sha"])[0][0]) + \
            int(raw("SELECT count() FROM capture_cpus WHERE capture = '%s'" % victim["sha"])[0][0]) + \
            int(raw("SELECT count() FROM tasks WHERE capture = '%s'" % victim["sha"])[0][0])
        check(partial > 0, "the killed export left rows behind (%d)" % partial)
        check(raw("SELECT count() FROM captures WHERE capture = '%s'" % victim["sha"])[0][0] == "0",
              "the killed export wrote no captures row")
        _, rows = ch(urls, "host-findings", "host=" + victim["host"])
        check(rows == [], "the questions do not see the killed capture: %r" % rows[:2])

        # Everything, then everything again.
        for f in files:
            p = export(f)
            check(p.stdout.count(" rows, ") == f["captures"] and "already" not in p.stdout,
                  "%s exported: %s" % (f["path"], p.stdout.strip()))
            check(("did not finish are being removed" in p.stdout) == (f is victim["file"]),
                  "%s: the killed attempt's rows (only) are removed: %s" % (f["path"], p.stdout))
        tables = ["captures", "capture_cpus", "tasks", "processes", "calls", "vma_history",
                  "findings", "finding_evidence"]
        # The killed attempt's rows, never read, are deleted once the capture is complete
        # (a mutation: ClickHouse applies it in the background).
        for _ in range(100):
            orphans = sum(int(raw("SELECT count() FROM %s WHERE NOT %s" % (t, COMPLETE))[0][0])
                          for t in tables)
            if not orphans:
                break
            time.sleep(0.2)
        check(orphans == 0, "the killed attempt's rows were removed (%d left)" % orphans)
        before = {t: raw("SELECT count() FROM %s" % t)[0][0] for t in tables}
        for f in files:
            p = export(f)
            check(p.stdout.count("already in ClickHouse") == f["captures"],
                  "%s again: %s" % (f["path"], p.stdout.strip()))
        after = {t: raw("SELECT count() FROM %s" % t)[0][0] for t in tables}
        check(before == after, "exporting again changed nothing: %r vs %r" % (before, after))

        # Both shards hold captures, each capture on one shard only.
        for sha in [d["sha"] for d in dbs]:
            where = []
            for i, u in enumerate(urls):
                n = run("query", "--clickhouse", u, "--database", DB, "--format", "csv",
                        "SELECT count() FROM calls_local WHERE capture = '%s'" % sha).stdout.split()[1]
                if n != "0":
                    where.append(i)
            check(len(where) == 1, "capture %s on one shard: %r" % (sha[:12], where))

        # Row counts, table by table, capture by capture, over complete attempts.
        complete = COMPLETE
        report = []
        for d in dbs:
            want = sqlite_counts(d["path"], d["id"])
            for t in tables:
                got = int(raw("SELECT count() FROM %s WHERE capture = '%s' AND %s" %
                              (t, d["sha"], complete))[0][0])
                check(got == want[t], "%s %s: ClickHouse %d, SQLite %d" %
                      (os.path.basename(d["path"]), t, got, want[t]))
                report.append(("%s#%d" % (os.path.basename(d["path"]), d["id"]), t, want[t], got))
        with open(os.environ.get("FLEET_COUNTS", os.path.join(work, "counts.txt")), "w") as f:
            for r in report:
                f.write("%s %s sqlite=%d clickhouse=%d\n" % r)

        # The fleet questions against the same questions asked of each SQLite file.
        check_host_findings(urls, dbs)
        check_prevalence(urls, dbs)
        check_timeline(urls, dbs)
        check_address_at(urls, dbs)

        # Quotes are data: a host with quotes and a backslash was found above;
        # one that looks like SQL is a name nobody has.
        _, rows = ch(urls, "host-findings", "host=alpha' OR '1'='1")
        check(rows == [], "an injected host name finds nothing: %r" % rows[:1])
        _, rows = ch(urls, "host-timeline", "host=x') OR 1=1 --")
        check(rows == [], "an injected timeline host finds nothing")
        p = run("query", "--clickhouse", urls[0], "--database", DB, "address-at",
                "--param", "host=alpha", "--param", "pid=1 OR 1=1", "--param", "addr=0",
                "--param", "ts=0", ok=False)
        check(p.returncode == 2 and "not an integer" in p.stderr,
              "a non-integer pid is refused: %d %s" % (p.returncode, p.stderr.strip()))
        p = run("query", "--clickhouse", urls[0], "--database", DB, "host-timeline", ok=False)
        check(p.returncode == 2 and "host" in p.stderr, "a missing required param: " + p.stderr.strip())
        p = run("query", "--clickhouse", urls[0], "--database", DB, "host-findings",
                "--param", "nope=1", ok=False)
        check(p.returncode == 2 and "no parameter nope" in p.stderr, "an unknown param: " + p.stderr.strip())

        # ClickHouse's own errors: one line, its exception text.
        p = run("query", "--clickhouse", urls[0], "--database", DB,
                "SELECT no_such_column FROM calls", ok=False)
        check(p.returncode == 1 and p.stderr.count("\n") == 1 and "no_such_column" in p.stderr,
              "a ClickHouse exception is one line: %r" % p.stderr)

        # A server that is down: one clear line, for export and for query.
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d/" % s.getsockname()[1]
        s.close()
        p = run("export", files[0]["path"], "--clickhouse", dead, ok=False)
        check(p.returncode == 1 and p.stderr.count("\n") == 1 and "not answering" in p.stderr
              and p.stdout == "", "export to a server that is down: %r" % p.stderr)
        p = run("query", "--clickhouse", dead, "host-findings", ok=False)
        check(p.returncode == 1 and p.stderr.count("\n") == 1 and "not answering" in p.stderr,
              "query to a server that is down: %r" % p.stderr)

        # The SQLite files are as analyze left them.
        for f in files:
            check(sha256(f["path"]) == f["hash"], "%s unchanged" % f["path"])
    finally:
        if started:
            pids = []
            for i in (1, 2):
                try:
                    pids.append(int(open(os.path.join(cluster_dir, "shard%d" % i, "pid")).read()))
                except OSError:
                    pass
            ports = []
            try:
                ports = [int(u.rsplit(":", 1)[1].strip("/")) for u in open(
                    os.path.join(cluster_dir, "urls")).read().split()]
            except OSError:
                pass
            subprocess.run([CLUSTER, "stop", cluster_dir])
            for pid in pids:
                check(not os.path.exists("/proc/%d" % pid), "server %d stopped" % pid)
            for port in ports:
                s = socket.socket()
                check(s.connect_ex(("127.0.0.1", port)) != 0, "nothing listens on %d" % port)
                s.close()
        shutil.rmtree(work, ignore_errors=True)
    print("fleet: %d checks, %d failed" % (checks, failures))
    sys.exit(1 if failures else 0)


def sqlite_rows(d, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % d["path"], uri=True)
    rows = con.execute(sql, args).fetchall()
    con.close()
    return rows


def check_host_findings(urls, dbs):
    want = {}
    for d in dbs:
        for det, sev, rank, n, lo, hi in sqlite_rows(
                d, "SELECT detection, severity, severity_rank, count(*), min(ts), max(ts) "
                   "FROM findings WHERE capture_id = ? GROUP BY 1, 2, 3", d["id"]):
            k = (d["host"], det, sev)
            w = want.setdefault(k, [rank, 0, set(), lo, hi])
            w[1] += n
            w[2].add(d["sha"])
            w[3], w[4] = min(w[3], lo), max(w[4], hi)
    order = sorted(want, key=lambda k: (k[0].encode(), -want[k][0], k[2 - 1]))
    expect = [[k[0], k[1], k[2], str(want[k][1]), str(len(want[k][2])), str(want[k][3]),
               str(want[k][4])] for k in order]
    head, got = ch(urls, "host-findings")
    check(head == ["host", "detection", "severity", "findings", "captures", "first_ts", "last_ts"],
          "host-findings columns: %r" % head)
    check(got == expect, "host-findings equals the SQLite files' (%d rows, %d)\n got %r\nwant %r"
          % (len(got), len(expect), got[:3], expect[:3]))
    print("host-findings: %d rows" % len(got))
    odd = dbs[3]["host"]
    _, got = ch(urls, "host-findings", "host=" + odd, "severity=low")
    check(got == [r for r in expect if r[0] == odd] and got,
          "host-findings for %r (quotes and a backslash): %r" % (odd, got))


def check_prevalence(urls, dbs):
    hosts, want = set(), {}
    for d in dbs:
        hosts.add(d["host"])
        for comm, det, n in sqlite_rows(d, "SELECT ifnull(comm, ''), detection, count(*) FROM "
                                           "findings WHERE capture_id = ? GROUP BY 1, 2", d["id"]):
            w = want.setdefault((comm, det), [set(), 0])
            w[0].add(d["host"])
            w[1] += n
    expect = sorted([[c, det, str(len(w[0])), str(len(hosts)), str(w[1]),
                      " ".join(sorted(w[0], key=lambda h: h.encode()))]
                     for (c, det), w in want.items()],
                    key=lambda r: (int(r[2]), int(r[4]), r[0].encode(), r[1].encode()))
    _, got = ch(urls, "prevalence")
    check(got == expect, "prevalence equals the SQLite files' (%d rows)\n got %r\nwant %r"
          % (len(got), got[:3], expect[:3]))
    print("prevalence: %d rows" % len(got))


def check_timeline(urls, dbs):
    alpha = [d for d in dbs if d["host"] == "alpha"]
    expect = []
    for d in sorted(alpha, key=lambda d: d["sha"]):
        expect += [[d["host"], d["sha"]] + [cell(v) for v in r] for r in sqlite_rows(
            d, "SELECT ts, pid, tid, comm, call, addr, len, prot, flags, ret, errno FROM memory_call "
               "WHERE capture_id = ? ORDER BY ts, call, id", d["id"])]
    _, got = ch(urls, "host-timeline", "host=alpha")
    check(got == expect, "host-timeline alpha equals memory_call of its two captures (%d rows, %d)"
          % (len(got), len(expect)))
    pid = int(expect[len(expect) // 2][3])
    _, got = ch(urls, "host-timeline", "host=alpha", "capture=" + alpha[0]["sha"], "pid=%d" % pid)
    check(got == [r for r in expect if r[1] == alpha[0]["sha"] and r[3] == str(pid)] and got,
          "host-timeline alpha, one capture, pid %d" % pid)
    print("host-timeline: %d rows" % len(expect))


def check_address_at(urls, dbs):
    # Every history range of beta that was protected: asked at its start time.
    d = dbs[2]
    asked = 0
    for pid, start, end, ts in sqlite_rows(
            d, "SELECT pid, start_addr, end_addr, ts_from FROM vma_history WHERE capture_id = ? "
               "AND change = 'protected' ORDER BY id LIMIT 8", d["id"]):
        addr = start + (end - start) // 2
        expect = [[d["host"], d["sha"]] + [cell(v) for v in r] for r in sqlite_rows(
            d, "SELECT pid, ?, start_addr, end_addr, prot, map_flags, fd, pgoff, change, cause, "
               "cause_id, ts_from, ts_to, prior_prot FROM vma_history WHERE capture_id = ? AND "
               "pid = ? AND start_addr <= ? AND end_addr > ? AND ts_from <= ? AND "
               "(ts_to IS NULL OR ts_to > ?) ORDER BY start_addr",
            addr, d["id"], pid, addr, addr, ts, ts)]
        _, got = ch(urls, "address-at", "host=beta", "pid=%d" % pid, "addr=0x%x" % addr,
                    "ts=%d" % ts)
        check(got == expect and got, "address-at beta pid %d 0x%x at %d: %r vs %r"
              % (pid, addr, ts, got, expect))
        asked += 1
    check(asked > 0, "address-at was asked")
    print("address-at: %d lookups" % asked)


if __name__ == "__main__":
    main()
