#!/usr/bin/python3
"""Compare a maptrail database with `trace-cmd report` on the same capture.

    compare-report.py CAPTURE.dat CAPTURE.db [CAPTURE_ID]

trace-cmd report is the independent reader: every event it prints must be a
row of the database with the same buffer, timestamp (ns), CPU, pid, event and
the same value in every field, and the database must hold nothing more.  The
report is read raw (-R: field=value, every field) with ns timestamps (-t).

Integers are compared modulo 2**(8*size), since the report prints some as
unsigned hex and the database keeps 64-bit two's complement.  Prints one
summary line; on a mismatch, the first differences and exit status 1.
"""
import bisect
import collections
import re
import sqlite3
import subprocess
import sys

LINE = re.compile(r'^(?:(?P<buf>[^\s:]+):)?\s*(?P<comm>.*)-(?P<pid>-?\d+)\s+\[(?P<cpu>\d+)\]\s+'
                  r'(?P<ts>\d+(?:\.\d+)?):\s+(?P<event>[^\s:]+):\s*(?P<rest>.*)$')


DROPPED = re.compile(r'^(?:(?P<buf>[^\s:]+):)?\s*CPU:\d+ \[(?:\d+ )?EVENTS DROPPED\]$')


def ts_ns(text):
    if '.' not in text:
        return int(text)
    sec, frac = text.split('.')
    return int(sec) * 10**9 + int(frac.ljust(9, '0')[:9])


def as_int(text):
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        try:
            return int(text, 16)
        except ValueError:
            return None


def hex_fields(print_fmt):
    """Fields the print format shows as bare hex ("clone_flags=%lx"): -R prints them so."""
    return set(re.findall(r'(\w+)=%[-#0-9.]*[hlLqjzt]*[xX]', print_fmt or ''))


def norm_report_value(text, field, bare_hex=False):
    """The report's text for a field, in the form the database value is normalized to."""
    _name, size, storage = field
    if storage in ('unsigned', 'signed'):
        value = as_int(text)
        if bare_hex and not text.strip().lower().startswith(('0x', '-')):
            try:
                value = int(text, 16)
            except ValueError:
                pass
        return ('int', value % (1 << (8 * size))) if value is not None else ('text', text)
    if storage.endswith('string'):
        return ('text', text)
    return ('raw', text.strip())


def norm_db_value(value, field):
    _name, size, storage = field
    if storage in ('unsigned', 'signed') and isinstance(value, int):
        return ('int', value % (1 << (8 * size)))
    if storage.endswith('string') and isinstance(value, str):
        return ('text', value)
    if isinstance(value, bytes):
        return ('raw', value)
    return ('text', str(value))


def raw_matches(report_text, blob):
    """trace-cmd prints arrays as ARRAY[xx, yy, ...]; dynamic arrays too."""
    nums = re.findall(r'[0-9a-fA-F]{2}', report_text.replace('ARRAY', ''))
    return bytes(int(n, 16) for n in nums) == blob


_symbols = None


def symbol_of(addr):
    """The kernel function holding @addr, as the report's %ps prints it (this machine's
    kallsyms: the captures compared are made here), or None."""
    global _symbols
    if _symbols is None:
        syms = []
        try:
            with open('/proc/kallsyms') as f:
                for line in f:
                    a, t, name = line.split()[:3]
                    if t in 'tTwW' and int(a, 16):
                        syms.append((int(a, 16), name))
        except OSError:
            pass
        syms.sort()
        _symbols = ([a for a, _n in syms], [n for _a, n in syms])
    i = bisect.bisect_right(_symbols[0], addr) - 1
    return _symbols[1][i] if i >= 0 else None


def norm_print(values, names):
    """ftrace:print (the recorder's identity records): the report shows ip as its symbol
    and the text without the newline the kernel ends a trace_marker write with, nor the
    TABs of empty last fields."""
    out = []
    for v, n in zip(values, names):
        if n == 'ip' and v[0] == 'int' and symbol_of(v[1]):
            v = ('text', symbol_of(v[1]))
        elif n == 'buf' and v[0] == 'text':
            # the report's line ends there: its trailing TABs (empty fields) do not show
            v = ('text', v[1].rstrip(' \t\n'))
        out.append(v)
    return tuple(out)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    dat, dbpath = sys.argv[1], sys.argv[2]
    capture_id = int(sys.argv[3]) if len(sys.argv) == 4 else None
    db = sqlite3.connect(dbpath)
    db.text_factory = lambda b: b.decode('utf-8', 'surrogateescape')
    if capture_id is None:
        capture_id = db.execute('SELECT max(id) FROM capture').fetchone()[0]

    fields = collections.defaultdict(list)   # event name -> [(column, size, storage)]
    field_names = collections.defaultdict(list)  # event name -> [field name as in the format]
    tables = {}
    bare_hex = {}
    for ev_id, name, table, print_fmt in db.execute(
            'SELECT id, name, table_name, print_fmt FROM event_type WHERE capture_id = ? '
            'AND table_name IS NOT NULL', (capture_id,)):
        tables[name] = (ev_id, table)
        bare_hex[name] = hex_fields(print_fmt)
        for fname, col, size, storage in db.execute(
                'SELECT name, column_name, size, storage FROM event_field WHERE capture_id = ? '
                'AND event_id = ? AND is_common = 0 ORDER BY position', (capture_id, ev_id)):
            fields[name].append((col, size, storage))
            field_names[name].append(fname)
    buffers = dict(db.execute('SELECT id, name FROM buffer WHERE capture_id = ?', (capture_id,)))

    db_rows = collections.Counter()
    for name, (_ev_id, table) in tables.items():
        cols = ''.join(', "%s"' % c for c, _s, _t in fields[name])
        for row in db.execute('SELECT buffer_id, ts, cpu, pid%s FROM "%s" WHERE capture_id = ?'
                              % (cols, table), (capture_id,)):
            values = tuple(norm_db_value(v, f) for v, f in zip(row[4:], fields[name]))
            if name == 'print':
                values = norm_print(values, field_names[name])
            db_rows[(buffers[row[0]], row[1], row[2], row[3], name, values)] += 1
    unknown = db.execute('SELECT count(*) FROM unknown_event WHERE capture_id = ?',
                         (capture_id,)).fetchone()[0]

    report = subprocess.run(['trace-cmd', 'report', '-R', '-t', '-i', dat], check=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={'LC_ALL': 'C', 'PATH': '/usr/bin:/bin'}).stdout
    report_rows = collections.Counter()
    problems = []
    dropped_buffer = None
    for raw in report.decode('utf-8', 'surrogateescape').splitlines():
        d = DROPPED.match(raw)
        if d:
            # trace-cmd prints the event after this marker without its buffer's prefix.
            dropped_buffer = d['buf'] or ''
            continue
        m = LINE.match(raw)
        if not m:
            continue
        buf = m['buf'] or ''
        if dropped_buffer is not None and not m['buf']:
            buf = dropped_buffer
        dropped_buffer = None
        name = m['event']
        if name not in fields:
            problems.append('event %s is in the report but has no table: %s' % (name, raw))
            continue
        # Split "f1=v1 f2=v2 ..." on the known field names, in format order.
        names = field_names[name]
        cols = fields[name]
        pattern = ''.join((' ' if i else '') + re.escape(n) + '=(.*?)'
                          for i, n in enumerate(names)) + r'\s*$'
        vm = re.match(pattern, m['rest']) if names else re.match(r'\s*$', m['rest'])
        if not vm:
            problems.append('cannot split the fields of: %s' % raw)
            continue
        values = tuple(norm_report_value(v, f, n in bare_hex[name])
                       for v, f, n in zip(vm.groups(), cols, names))
        key = (buf, ts_ns(m['ts']), int(m['cpu']), int(m['pid']), name, values)
        report_rows[key] += 1

    # Raw values: match what is left by blob comparison, not by text.
    def raw_free(key):
        return all(v[0] != 'raw' for v in key[5])
    only_report = report_rows - db_rows
    only_db = db_rows - report_rows
    for rk in list(only_report):
        if raw_free(rk):
            continue
        for dk in list(only_db):
            if dk[:5] == rk[:5] and all(
                    a == b or (a[0] == 'raw' and isinstance(b[1], bytes) and raw_matches(a[1], b[1]))
                    for a, b in zip(rk[5], dk[5])):
                only_report[rk] -= 1
                only_db[dk] -= 1
                break
    only_report = +only_report
    only_db = +only_db
    n_report = sum(report_rows.values())
    n_db = sum(db_rows.values()) + unknown
    for k in list(only_report)[:5]:
        problems.append('in the report, not in the database: %r' % (k,))
    for k in list(only_db)[:5]:
        problems.append('in the database, not in the report: %r' % (k,))
    if unknown:
        problems.append('%d events of unknown type in the database' % unknown)
    print('%s: %d events in the report, %d rows in the database, %d differ'
          % (dat, n_report, n_db, sum(only_report.values()) + sum(only_db.values())))
    if problems or n_report != n_db:
        for p in problems[:20]:
            print('  ' + p, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
