#!/usr/bin/python3
"""Check a database's call tables against the workload that made the capture.

    calls.py CAPTURE.db MAPWORK.OUT [CAPTURE_ID]

1. Every entry and exit event of every call source lands in exactly one call
   row (nothing dropped, nothing counted twice).
2. Every call mapwork printed ("call=X tid=T field=value ... ret=R errno=E",
   field names as the kernel's tracepoint) is a row of call table X for
   thread T, in the order mapwork made them, with the same arguments (the
   schema's names, mapped through schema_arg_source), return value and errno.
   Rows in between are allowed: libc and the loader make mapping calls too.
3. Calls of mapwork's threads carry mapwork's pid (the process) and comm.
"""
import collections
import re
import sqlite3
import sys

M64 = 1 << 64


def num(text):
    return int(text, 0) % M64


def same(db_value, printed):
    """mapwork prints an int fd as -1; the kernel's unsigned long may hold it zero-extended."""
    if db_value is None:
        return False
    v = db_value % M64
    return v == printed or (v < (1 << 32) and v == printed % (1 << 32))


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    db = sqlite3.connect(sys.argv[1])
    capture = int(sys.argv[3]) if len(sys.argv) == 4 else \
        db.execute('SELECT max(id) FROM capture').fetchone()[0]
    problems = []

    # 1. Every entry and exit in exactly one call row.
    checked = 0
    for sid, event, enter_table, exit_table in db.execute(
            'SELECT id, event, enter_table, exit_table FROM call_source WHERE capture_id = ?',
            (capture,)).fetchall():
        for table, column in ((enter_table, 'enter_id'), (exit_table, 'exit_id')):
            if table is None:
                continue
            events = db.execute('SELECT count(*) FROM "%s" WHERE capture_id = ?' % table,
                                (capture,)).fetchone()[0]
            rows, distinct = db.execute(
                'SELECT count(%s), count(DISTINCT %s) FROM "%s" WHERE source_id = ?'
                % (column, column, event), (sid,)).fetchone()
            missing = db.execute(
                'SELECT count(*) FROM "%s" e WHERE capture_id = ? AND NOT EXISTS '
                '(SELECT 1 FROM "%s" c WHERE c.source_id = ? AND c.%s = e.id)'
                % (table, event, column), (capture, sid)).fetchone()[0]
            if not (events == rows == distinct) or missing:
                problems.append('%s: %d events in %s, %d call rows refer to them (%d distinct),'
                                ' %d in none' % (event, events, table, rows, distinct, missing))
            checked += events

    # 2. mapwork's calls, in order, per thread.
    field_to_arg = collections.defaultdict(dict)
    for event, field, arg in db.execute(
            "SELECT s.event, s.field, a.name FROM schema_arg_source s JOIN schema_arg a "
            "USING (event, position) WHERE s.backend = 'tracepoint'"):
        field_to_arg[event][field] = arg
    lines = open(sys.argv[2]).read().splitlines()
    pid = int(re.match(r'pid=(\d+)$', lines[0]).group(1))
    cursor = {}
    matched = 0
    tids = set()
    for line in lines[1:]:
        kv = dict(item.split('=', 1) for item in line.split())
        call, tid = kv.pop('call'), int(kv.pop('tid'))
        ret, err = num(kv.pop('ret')), int(kv.pop('errno'))
        tids.add(tid)
        args = {field_to_arg[call][f]: num(v) for f, v in kv.items()}
        key = (call, tid)
        if key not in cursor:
            cursor[key] = db.execute(
                'SELECT * FROM "%s" WHERE capture_id = ? AND tid = ? ORDER BY ts, id' % call,
                (capture, tid))
        cols = [d[0] for d in cursor[key].description]
        for row in cursor[key]:
            r = dict(zip(cols, row))
            if all(same(r[a], v) for a, v in args.items()) and same(r['ret'], ret) and \
                    (r['errno'] or 0) == err:
                matched += 1
                if r['pid'] != pid:
                    problems.append('%s: pid %r, want %d' % (line, r['pid'], pid))
                break
        else:
            problems.append('no call row for: ' + line)
            del cursor[key]

    # 3. After its exec, mapwork's threads are named mapwork.
    for call in ('mprotect', 'mremap', 'munmap'):
        for tid, comm in db.execute(
                'SELECT DISTINCT tid, comm FROM "%s" WHERE capture_id = ? AND tid IN (%s) '
                'AND id > (SELECT min(id) FROM "%s" WHERE comm = \'mapwork\')'
                % (call, ','.join(map(str, tids)), call), (capture,)):
            if comm != 'mapwork':
                problems.append('%s by %d named %r' % (call, tid, comm))

    print('%s: %d entry/exit events each in one call row; %d/%d mapwork calls matched'
          % (sys.argv[1], checked, matched, len(lines) - 1))
    if problems or matched != len(lines) - 1 or not checked:
        for p in problems[:20]:
            print('  ' + p, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
