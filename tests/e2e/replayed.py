#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The detections maptrail judges while it replays the history
(analyze/replayed-detections.c) against their queries, on a real database.

    replayed.py DB QUERIES_DIR

For exec-after-write, made-executable and code-patching: runs
QUERIES_DIR/<name>.sql on DB with Python's sqlite3, groups its rows as
findings are grouped (capture, process, severity, kind; the earliest row
describes the group), and checks that the findings table holds exactly those
groups (severity before any lowering: detection_severity), with the same
first row, counts, ranges, bytes, last call and evidence.  Prints one line per
detection; exits 1 at the first difference.
"""
import sqlite3
import sys

DETECTIONS = ('exec-after-write', 'made-executable', 'code-patching')


def fail(msg):
    print('FAIL: replayed: ' + msg)
    sys.exit(1)


def query_groups(db, sql):
    """The query's rows, grouped: {(capture, pid, severity, kind): group}."""
    cur = db.execute(sql)
    cols = [d[0] for d in cur.description]
    groups = {}
    for row in cur:
        r = dict(zip(cols, row))
        key = (r['capture_id'], r['pid'], r['severity'], r['kind'])
        g = groups.setdefault(key, {'rows': [], 'calls': set(), 'ranges': set()})
        g['rows'].append(r)
        if r['call'] is not None and r['call_id'] is not None:
            g['calls'].add((r['call'], r['call_id']))
        if r['addr'] is not None and r['len'] is not None:
            g['ranges'].add((r['addr'], r['len']))
    return groups


def check(db, name, sql):
    groups = query_groups(db, sql)
    found = db.execute(
        "SELECT id, capture_id, pid, coalesce(detection_severity, severity), kind, ts, tid,"
        " comm, addr, len, summary, calls, ranges, bytes, last_ts FROM findings"
        " WHERE detection = ?", (name,)).fetchall()
    if len(found) != len(groups):
        fail('%s: %d findings, the query groups into %d' % (name, len(found), len(groups)))
    calls = 0
    for (fid, cap, pid, sev, kind, ts, tid, comm, addr, length, summary, n, ranges, nbytes,
         last_ts) in found:
        g = groups.get((cap, pid, sev, kind))
        if g is None:
            fail('%s: finding %d (%s pid %s %s %r) is not a group of the query'
                 % (name, fid, sev, pid, kind, kind))
        first_ts = min(r['ts'] for r in g['rows'])
        # of rows entering at the same nanosecond any may describe the group
        firsts = [(r['ts'], r['tid'], r['comm'], r['addr'], r['len'], r['summary'])
                  for r in g['rows'] if r['ts'] == first_ts]
        if (ts, tid, comm, addr, length, summary) not in firsts:
            fail('%s: finding %d describes itself as %r, the query\'s first row is %r'
                 % (name, fid, (ts, tid, comm, addr, length, summary), firsts[0]))
        want = (len(g['calls']), len(g['ranges']), sum(l for _, l in g['ranges']),
                max(r['ts'] for r in g['rows']))
        if (n, ranges, nbytes, last_ts) != want:
            fail('%s: finding %d counts (calls, ranges, bytes, last_ts) %r, the query %r'
                 % (name, fid, (n, ranges, nbytes, last_ts), want))
        evidence = set(db.execute("SELECT call, call_id FROM finding_evidence"
                                  " WHERE finding_id = ?", (fid,)))
        if evidence != g['calls']:
            fail('%s: finding %d evidence differs from the query\'s calls (%d vs %d)'
                 % (name, fid, len(evidence), len(g['calls'])))
        calls += n
    print('ok: replayed %s: %d findings, %d calls, as its query groups them'
          % (name, len(found), calls))


def main():
    if len(sys.argv) != 3:
        print('usage: replayed.py DB QUERIES_DIR', file=sys.stderr)
        sys.exit(2)
    db = sqlite3.connect('file:%s?mode=ro' % sys.argv[1], uri=True)
    for name in DETECTIONS:
        with open('%s/%s.sql' % (sys.argv[2], name)) as f:
            check(db, name, f.read())


if __name__ == '__main__':
    main()
