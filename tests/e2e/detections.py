#!/usr/bin/env python3
"""Checks maptrail's findings and address-space history against what injector did.

    detections.py INJECTOR.OUT INJECTOR.DB [BENIGN.DB]

INJECTOR.OUT is injector's stdout (tests/workload/injector.c: one line per
call, `step= op= call= pid= tid= addr= len= ... ret= errno=`), INJECTOR.DB the
database `maptrail analyze` made of a capture of that run, BENIGN.DB the same
for tests/workload/benign.sh.

1. Every printed call is a row of its call table (same thread, arguments, ret
   and errno; in the order the thread made them) whose pid is the printed one,
   and a row of the memory_call view with the printed addr and len.
2. Every step produced its finding: the detection named in injector_checks,
   with the step's pid and severity, and finding_evidence pointing at that
   call's row.  Findings are groups (one per detection, process and kind of
   change): when the step's call is the group's first, the finding has its
   tid, address and length and a ts between the call's entry and exit; when an
   earlier step's call of the same kind came first, the call lies between the
   group's ts and last_ts and the group counts more than one call.  The
   failure burst: a finding within the probes, every probe evidence of one.  The
   race: per round, a finding with both threads' calls as evidence and their
   overlap as address (rounds whose calls the scheduler set more than 0.5 ms
   apart are not judged; at least 3 of 5 must be).  And no other finding: none
   has evidence but injector's own calls (the dynamic loader's and libc's are
   no findings), and every finding's calls count its evidence rows.
3. vma_history tells what the steps did: the W->X flip judged against RW, the
   .bss page's prior state unknown (never invented), one mprotect over two
   mappings as two rows (prior RW and prior R), the mremap victim ended by the
   mremap and its address holding the source's pages afterwards, the
   remap_file_pages range, every range the cleanup unmapped ended by that
   munmap.
4. With MAPTRAIL=path/to/maptrail in the environment, the same history asked as
   a person would (`maptrail query DB address-at`): the victim's address
   before and after the mremap, the .bss page before the capture saw it
   ('unknown') and after, the RWX page after the cleanup ('unmapped').
5. BENIGN.DB: not one high-severity finding (and enough calls and history for
   that to mean something).

Prints one `ok:` line per check that passed and `FAIL:` per check that did not
(all of them, not only the first), and exits 1 if any failed.
"""

import json
import os
import sqlite3
import subprocess
import sys

M = 1 << 64

# The call tables' names for the printed addr and len (as the memory_call view).
ADDR_LEN = {
    'mmap': ('addr', 'len'),
    'mprotect': ('addr', 'len'),
    'munmap': ('addr', 'len'),
    'mremap': ('old_address', 'old_size'),
    'remap_file_pages': ('addr', 'size'),
}
NOT_ARGS = {'step', 'op', 'call', 'pid', 'tid', 'ret', 'errno'}
PROT = {'R': 1, 'RW': 3, 'RX': 5, 'RWX': 7}
RACE_JUDGED_NS = 500000
# maptrail itself, for the lookups through `maptrail query` (MAPTRAIL=path; unset: skipped)
MAPTRAIL = os.environ.get('MAPTRAIL')

failures = 0


def ok(msg):
    print('ok: ' + msg)


def fail(msg):
    global failures
    failures += 1
    print('FAIL: ' + msg)


def check(cond, good, bad):
    if cond:
        ok(good)
    else:
        fail(bad)
    return cond


def u64(v):
    return None if v is None else v % M


def hx(v):
    return 'NULL' if v is None else '0x%x' % u64(v)


def parse(path):
    """The printed calls, as dicts of strings (the header line gives the page size)."""
    lines, page = [], None
    with open(path) as f:
        for n, text in enumerate(f.read().splitlines(), 1):
            kv = dict(w.split('=', 1) for w in text.split())
            if 'step' in kv:
                kv['line'] = n
                lines.append(kv)
            elif 'page' in kv:
                page = int(kv['page'])
    if page is None or not lines:
        sys.exit('detections: %s: not injector output (no header or no calls)' % path)
    return lines, page


def num(line, key):
    return int(line[key], 0)


def args_of(line):
    """The printed arguments under the call table's column names."""
    call = line['call']
    a, l = ADDR_LEN[call]
    out = {}
    for k, v in line.items():
        if k in NOT_ARGS or k == 'line':
            continue
        col = a if k == 'addr' else l if k == 'len' else k
        out[col] = int(v, 0) % M
    return out


def match_rows(db, lines, view):
    """Gives each printed line its call row (dict with the table's columns), or fails."""
    queues = {}
    matched = 0
    for line in lines:
        call, tid = line['call'], int(line['tid'])
        key = (call, tid)
        if key not in queues:
            cur = db.execute('SELECT * FROM "%s" WHERE tid = ? ORDER BY ts, id' % call, (tid,))
            cols = [d[0] for d in cur.description]
            queues[key] = [[dict(zip(cols, r)) for r in cur.fetchall()], 0]
        rows, pos = queues[key]
        want = args_of(line)
        ret, err = num(line, 'ret') % M, int(line['errno'])
        line['row'] = None
        while pos < len(rows):
            r = rows[pos]
            pos += 1
            if r['ret'] is None or r['ts_exit'] is None:
                continue
            if all(r.get(c) is not None and u64(r[c]) == v for c, v in want.items()) and \
                    u64(r['ret']) == ret and (r['errno'] or 0) == err:
                line['row'] = r
                break
        queues[key][1] = pos
        if line['row'] is None:
            fail('line %d (%s %s %s): no row of %s has its arguments, ret and errno'
                 % (line['line'], line['step'], line['op'], call, call))
            continue
        matched += 1
    check(matched == len(lines), '%d/%d printed calls are rows of their call tables'
          % (matched, len(lines)), '%d of %d printed calls have no row' % (len(lines) - matched,
                                                                          len(lines)))
    bad = [l for l in lines if l['row'] and l['row']['pid'] != int(l['pid'])]
    check(not bad, 'every call row has the printed pid',
          'call rows with another pid than printed: %s' % ', '.join(
              '%s %s: pid %s' % (l['step'], l['op'], l['row']['pid']) for l in bad[:5]))
    if not view:
        return
    # the memory_call view gives every call the printed addr and len
    bad = []
    for l in lines:
        if not l['row']:
            continue
        r = db.execute('SELECT addr, len, ts, ts_exit, pid, tid FROM memory_call'
                       ' WHERE call = ? AND id = ?', (l['call'], l['row']['id'])).fetchone()
        if r is None or u64(r[0]) != num(l, 'addr') % M or u64(r[1]) != num(l, 'len') % M or \
                r[2] != l['row']['ts'] or r[3] != l['row']['ts_exit'] or r[5] != int(l['tid']):
            bad.append('%s %s -> %r' % (l['step'], l['op'], r))
    check(not bad, 'memory_call has every printed call with its addr, len, ts and tid',
          'memory_call disagrees with the call tables: %s' % '; '.join(bad[:5]))


def by_op(lines, step, op):
    for l in lines:
        if l['step'] == step and l['op'] == op:
            return l
    return None


def findings_of(db, detection, call, call_id):
    cur = db.execute(
        'SELECT f.id, f.detection, f.severity, f.severity_rank, f.ts, f.pid, f.tid, f.addr,'
        ' f.len, f.summary, f.kind, f.calls, f.last_ts FROM findings f'
        ' WHERE f.detection = ? AND EXISTS (SELECT 1 FROM finding_evidence e'
        '  WHERE e.finding_id = f.id AND e.call = ? AND e.call_id = ?) ORDER BY f.id',
        (detection, call, call_id))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def evidence(db, finding_id):
    return set(db.execute('SELECT call, call_id FROM finding_evidence WHERE finding_id = ?',
                          (finding_id,)).fetchall())


def describe(f):
    return '#%d %s %s ts=%s pid=%s tid=%s addr=%s len=%s%s: %s' % (
        f['id'], f['detection'], f['severity'], f['ts'], f['pid'], f['tid'], hx(f['addr']),
        f['len'], ' kind=%r calls=%s last_ts=%s' % (f['kind'], f['calls'], f['last_ts'])
        if 'kind' in f else '', f['summary'])


def first_of(f, r):
    """Whether call row r is the one that describes its group f (its first call)."""
    return f['ts'] is not None and r['ts'] <= f['ts'] <= r['ts_exit']


def expect_finding(db, line, detection, addr, length, severity=None, below_high=False,
                   summary_has=None):
    """The finding one call must have produced; returns it (or None, having failed)."""
    what = '%s (%s %s)' % (line['step'], line['op'], line['call'])
    if not line['row']:
        fail('%s: %s not checked: the call has no row' % (what, detection))
        return None
    r = line['row']
    found = findings_of(db, detection, line['call'], r['id'])
    if not found:
        near = db.execute('SELECT detection, printf(\'0x%x\', addr), ts FROM findings'
                          ' WHERE pid = ? AND ts BETWEEN ? AND ?',
                          (r['pid'], r['ts'], r['ts_exit'])).fetchall()
        fail('%s: no %s finding with evidence %s #%d (findings of pid %s at that time: %s)'
             % (what, detection, line['call'], r['id'], r['pid'], near or 'none'))
        return None
    problems = []
    for f in found:
        p = []
        if f['pid'] != int(line['pid']):
            p.append('pid %s, not %s' % (f['pid'], line['pid']))
        if not first_of(f, r):
            # a later call of its group: the group spans it and counts it
            if f['ts'] is None or f['last_ts'] is None or \
                    not f['ts'] < r['ts'] <= f['last_ts']:
                p.append('call at %d is outside the group [%s, %s]' % (r['ts'], f['ts'],
                                                                      f['last_ts']))
            if (f['calls'] or 0) < 2:
                p.append('a group of %s call(s) that is not described by its call' % f['calls'])
            if severity and f['severity'] != severity:
                p.append('severity %s, not %s' % (f['severity'], severity))
            if below_high and (f['severity_rank'] is None or f['severity_rank'] >= 3):
                p.append('severity %s: should be below high' % f['severity'])
            if not p:
                ok('%s: a later call of %s' % (what, describe(f)))
                return f
            problems.append('%s: %s' % (describe(f), ', '.join(p)))
            continue
        if f['tid'] != int(line['tid']):
            p.append('tid %s, not %s' % (f['tid'], line['tid']))
        if u64(f['addr']) != addr % M:
            p.append('addr %s, not %s' % (hx(f['addr']), hx(addr)))
        if f['len'] != length:
            p.append('len %s, not %d' % (f['len'], length))
        if f['ts'] is None or not r['ts'] <= f['ts'] <= r['ts_exit']:
            p.append('ts %s outside the call [%d, %d]' % (f['ts'], r['ts'], r['ts_exit']))
        if severity and f['severity'] != severity:
            p.append('severity %s, not %s' % (f['severity'], severity))
        if below_high and (f['severity_rank'] is None or f['severity_rank'] >= 3):
            p.append('severity %s: should be below high' % f['severity'])
        if summary_has and summary_has not in (f['summary'] or '').lower():
            p.append('summary does not say "%s"' % summary_has)
        if not p:
            ok('%s: %s' % (what, describe(f)))
            return f
        problems.append('%s: %s' % (describe(f), ', '.join(p)))
    fail('%s: %s finding(s) of the call, none right: %s' % (what, detection,
                                                            ' | '.join(problems)))
    return None


def history_rows(db, where, params):
    cur = db.execute('SELECT * FROM vma_history WHERE %s ORDER BY start_addr, ts_from' % where,
                     params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def hrow(h):
    return '#%d [%s, %s) prot=%s change=%s cause=%s/%s ts=[%s, %s) end=%s/%s prior=%s/%s' % (
        h['id'], hx(h['start_addr']), hx(h['end_addr']), h['prot'], h['change'], h['cause'],
        h['cause_id'], h['ts_from'], h['ts_to'], h['end_cause'], h['end_cause_id'],
        h['prior_id'], h['prior_prot'])


def at(db, pid, addr, ts):
    """What was at addr in pid at time ts: the vma_history rows (there must be one)."""
    return history_rows(db, 'pid = ? AND start_addr <= ? AND ? < end_addr AND ts_from <= ?'
                        ' AND (ts_to IS NULL OR ? < ts_to)', (pid, addr, addr, ts, ts))


def check_made_rows(db, line, pieces, prot):
    """The rows one protection call made: pieces is [(start, end, prior_prot)]."""
    what = '%s (%s)' % (line['step'], line['op'])
    r = line['row']
    if not r:
        return
    rows = history_rows(db, 'cause = ? AND cause_id = ?', (line['call'], r['id']))
    got = [(u64(h['start_addr']), u64(h['end_addr']), h['prior_prot']) for h in rows]
    want = [(s % M, e % M, p) for s, e, p in pieces]
    if not check(got == want, '%s: vma_history has the %d row(s) it made, prior %s' % (
            what, len(want), ', '.join(str(p) for _, _, p in want)),
            '%s: vma_history rows made by %s #%d: %s; want [start, end, prior_prot] %s' % (
            what, line['call'], r['id'], '; '.join(hrow(h) for h in rows) or 'none',
            ', '.join('[%s, %s, %s]' % (hx(s), hx(e), p) for s, e, p in want))):
        return
    bad = []
    for h in rows:
        if h['prot'] != prot or h['change'] != 'protected' or h['pid'] != int(line['pid']) or \
                not r['ts'] <= h['ts_from'] <= r['ts_exit']:
            bad.append(hrow(h))
        if h['prior_prot'] is None:
            if h['prior_id'] is not None:
                bad.append('%s: a prior row but no prior prot' % hrow(h))
        else:
            p = history_rows(db, 'id = ?', (h['prior_id'],))
            if not p or p[0]['prot'] != h['prior_prot'] or p[0]['end_cause'] != line['call'] \
                    or p[0]['end_cause_id'] != r['id']:
                bad.append('%s: prior row %s' % (hrow(h), hrow(p[0]) if p else 'missing'))
    check(not bad, '%s: its rows: prot %d, change protected, at the call, priors ended by it'
          % (what, prot), '%s: rows wrong: %s' % (what, '; '.join(bad)))


def injector_checks(db, lines, pg):
    def line(step, op):
        l = by_op(lines, step, op)
        if l is None:
            fail('%s %s: not in the output (was the step run?)' % (step, op))
        return l

    def rwx():
        l = line('rwx', 'map-rwx')
        expect_finding(db, l, 'wx-mapping', num(l, 'ret'), pg, severity='high')

    def w_then_x():
        l = line('w-then-x', 'flip-rx')
        a = num(l, 'addr')
        expect_finding(db, l, 'exec-after-write', a, 3 * pg, severity='high')
        check_made_rows(db, l, [(a, a + 3 * pg, PROT['RW'])], PROT['RX'])

    def prior_unknown():
        l = line('prior-unknown', 'bss-rx')
        a = num(l, 'addr')
        check_made_rows(db, l, [(a, a + pg, None)], PROT['RX'])
        expect_finding(db, l, 'made-executable', a, pg, below_high=True, summary_has='unknown')
        if l['row']:
            wrong = findings_of(db, 'exec-after-write', 'mprotect', l['row']['id'])
            check(not wrong, 'prior-unknown: no exec-after-write claimed on an unknown prior',
                  'prior-unknown: exec-after-write invents a writable past: %s'
                  % '; '.join(describe(f) for f in wrong))

    def span():
        l = line('span', 'span-rwx')
        a = num(l, 'addr')
        check_made_rows(db, l, [(a, a + 2 * pg, PROT['RW']), (a + 2 * pg, a + 4 * pg, PROT['R'])],
                        PROT['RWX'])
        # the writable part is exec-after-write's; both parts, left rwx, wx-mapping's (one
        # finding per part: their prior protections differ), the read-only one at its own
        # address
        expect_finding(db, l, 'exec-after-write', a, 4 * pg, severity='high')
        f = [f for f in findings_of(db, 'wx-mapping', l['call'], l['row']['id'])
             if f['kind'] == 'mprotect r-- -> rwx anonymous'] if l['row'] else []
        check(len(f) == 1 and f[0]['severity'] == 'high' and
              (not first_of(f[0], l['row']) or
               (u64(f[0]['addr']) == (a + 2 * pg) % M and f[0]['len'] == 2 * pg)),
              'span: the read-only part made rwx is high: %s' % (describe(f[0]) if f else ''),
              'span: no high wx-mapping finding of kind \'mprotect r-- -> rwx anonymous\''
              ' at %s for the read-only part: %s' % (
                  hx(a + 2 * pg), '; '.join(describe(x) for x in f) or 'none'))

    def code_patching():
        l = line('code-patching', 'patch-rw')
        a = num(l, 'addr')
        check_made_rows(db, l, [(a, a + pg, PROT['RX'])], PROT['RW'])
        expect_finding(db, l, 'code-patching', a, pg)
        l = line('code-patching', 'patch-rx')
        check_made_rows(db, l, [(a, a + pg, PROT['RW'])], PROT['RX'])
        expect_finding(db, l, 'exec-after-write', a, pg)

    def mremap_over():
        mremap_checks(db, line('mremap-over', 'map-victim'), line('mremap-over', 'map-source'),
                      line('mremap-over', 'move-over'), lines, pg)

    def remap_file_pages():
        l = line('remap-file-pages', 'remap')
        if l['row']:
            a = num(l, 'addr')
            # the rest of the mapping may be a 'split' row of the same call
            rows = history_rows(db, 'cause = ? AND cause_id = ? AND change <> \'split\'',
                                ('remap_file_pages', l['row']['id']))
            got = [(u64(h['start_addr']), u64(h['end_addr']), h['change'], h['pgoff'])
                   for h in rows]
            check(got == [(a, a + pg, 'remapped', 3)],
                  'remap-file-pages: vma_history has the remapped page (file page 3)',
                  'remap-file-pages: rows made by the call: %s; want one [%s, %s) remapped'
                  ' pgoff 3' % ('; '.join('%s pgoff=%s' % (hrow(h), h['pgoff']) for h in rows)
                                or 'none', hx(a), hx(a + pg)))
        expect_finding(db, l, 'remap-file-pages', num(l, 'addr'), pg)

    def probing():
        probing_checks(db, [l for l in lines if l['step'] == 'probing'
                            and l['op'].startswith('probe-')])

    def race():
        race_checks(db, [l for l in lines if l['step'] == 'race'], pg)

    def cleanup():
        cleanup_checks(db, [l for l in lines if l['step'] == 'cleanup'])

    checks = [('rwx', rwx), ('w-then-x', w_then_x), ('prior-unknown', prior_unknown),
              ('span', span), ('code-patching', code_patching), ('mremap-over', mremap_over),
              ('remap-file-pages', remap_file_pages), ('probing', probing), ('race', race),
              ('cleanup', cleanup)]
    steps = {l['step'] for l in lines}
    for step, fn in checks:
        if step not in steps:
            continue
        try:
            fn()
        except sqlite3.OperationalError as e:
            fail('%s: cannot check: %s' % (step, e))


def mremap_checks(db, victim, source, move, lines, pg):
    if not (victim and source and move):
        return
    expect_finding(db, move, 'mremap-fixed-overlap', num(move, 'new_address'),
                   num(move, 'new_size'))
    if not (victim['row'] and source['row'] and move['row']):
        return
    pid, v, s, m = int(move['pid']), num(victim, 'ret'), num(source, 'ret'), move['row']
    vrow = history_rows(db, 'cause = ? AND cause_id = ?', ('mmap', victim['row']['id']))
    check(len(vrow) == 1 and vrow[0]['end_cause'] == 'mremap' and
          vrow[0]['end_cause_id'] == m['id'] and u64(vrow[0]['start_addr']) == v % M and
          m['ts'] <= (vrow[0]['ts_to'] or -1) <= m['ts_exit'],
          'mremap-over: the victim\'s row ends with the mremap',
          'mremap-over: the victim\'s rows: %s; want one ended by mremap #%d at its time'
          % ('; '.join(hrow(h) for h in vrow) or 'none', m['id']))
    # "what was at the victim's address after the mremap": the source's pages
    after = [l for l in lines if l['row'] and l['row']['ts'] > m['ts_exit']]
    t = after[0]['row']['ts'] if after else m['ts_exit'] + 1
    for addr in (v, v + pg, v + 2 * pg - 1):
        rows = at(db, pid, addr, t)
        good = len(rows) == 1 and rows[0]['cause'] == 'mremap' and \
            rows[0]['cause_id'] == m['id'] and rows[0]['change'] == 'moved'
        prior = history_rows(db, 'id = ?', (rows[0]['prior_id'],)) if good else []
        good = good and len(prior) == 1 and prior[0]['cause'] == 'mmap' and \
            prior[0]['cause_id'] == source['row']['id'] and \
            u64(prior[0]['start_addr']) == s % M and rows[0]['prior_prot'] == PROT['RW']
        check(good, 'mremap-over: at %s after the mremap: moved there by it, from the source'
              ' (prior row #%s, mmap #%d at %s)' % (hx(addr), rows[0]['prior_id'] if rows else '',
                                                    source['row']['id'], hx(s)),
              'mremap-over: at %s at ts %d: %s (prior: %s); want one row moved by mremap #%d'
              ' whose prior is the source mmap #%d' % (
                  hx(addr), t, '; '.join(hrow(h) for h in rows) or 'nothing',
                  '; '.join(hrow(h) for h in prior) or 'none', m['id'], source['row']['id']))
    # and before it, the victim
    rows = at(db, pid, v, m['ts'] - 1)
    check(len(rows) == 1 and rows[0]['cause'] == 'mmap' and
          rows[0]['cause_id'] == victim['row']['id'],
          'mremap-over: at %s just before the mremap: the victim' % hx(v),
          'mremap-over: at %s just before the mremap: %s' % (
              hx(v), '; '.join(hrow(h) for h in rows) or 'nothing'))


def probing_checks(db, probes):
    rows = [p['row'] for p in probes if p['row']]
    if not check(len(probes) >= 20 and len(rows) == len(probes),
                 'probing: %d failing calls printed, all rows' % len(probes),
                 'probing: %d printed, %d rows' % (len(probes), len(rows))):
        return
    pid, tid = int(probes[0]['pid']), int(probes[0]['tid'])
    t0, t1 = min(r['ts'] for r in rows), max(r['ts_exit'] for r in rows)
    ids = {(p['call'], p['row']['id']) for p in probes}
    addrs = {num(p, 'addr') % M for p in probes}
    found = db.execute('SELECT id, detection, severity, severity_rank, ts, pid, tid, addr, len,'
                       ' summary FROM findings WHERE detection = ? AND pid = ? ORDER BY id',
                       ('failure-burst', pid)).fetchall()
    cols = ['id', 'detection', 'severity', 'severity_rank', 'ts', 'pid', 'tid', 'addr', 'len',
            'summary']
    found = [dict(zip(cols, f)) for f in found]
    good, problems = None, []
    for f in found:
        ev = evidence(db, f['id'])
        p = []
        if f['tid'] not in (None, tid):
            p.append('tid %s, not %d' % (f['tid'], tid))
        if f['ts'] is None or not t0 <= f['ts'] <= t1:
            p.append('ts %s outside the burst [%d, %d]' % (f['ts'], t0, t1))
        if f['addr'] is not None and u64(f['addr']) not in addrs:
            p.append('addr %s is none of the probed ones' % hx(f['addr']))
        if not ev & ids:
            p.append('its evidence holds none of the probes')
        if ev - ids:
            p.append('evidence beyond the probes: %s' % sorted(ev - ids)[:5])
        if not p:
            good = (f, ev)
            break
        problems.append('%s: %s' % (describe(f), ', '.join(p)))
    if check(good is not None, 'probing: %s, %d of the %d probes as evidence' % (
            describe(good[0]), len(good[1]), len(ids)) if good else '',
            'probing: no right failure-burst finding of pid %d in [%d, %d]: %s' % (
                pid, t0, t1, ' | '.join(problems) or 'none at all')):
        covered = set()
        for f in found:
            covered |= evidence(db, f['id'])
        check(ids <= covered, 'probing: every probe is evidence of a failure-burst finding',
              'probing: %d probes are evidence of no failure-burst finding (e.g. %s)' % (
                  len(ids - covered), sorted(ids - covered)[:3]))


def race_checks(db, lines, pg):
    m = by_op(lines, 'race', 'map-race')
    rounds = sorted({l['op'][:-2] for l in lines if l['op'].startswith('round')})
    if not check(m is not None and len(rounds) >= 3, 'race: %d rounds printed' % len(rounds),
                 'race: no mapping or fewer than 3 rounds printed'):
        return
    base = num(m, 'ret')
    judged = 0
    for rnd in rounds:
        a, b = by_op(lines, 'race', rnd + '-a'), by_op(lines, 'race', rnd + '-b')
        if not (a and b and a['row'] and b['row']):
            fail('race %s: a call or its row is missing' % rnd)
            continue
        pair = {('mprotect', a['row']['id']), ('mprotect', b['row']['id'])}
        t0 = min(a['row']['ts'], b['row']['ts'])
        t1 = max(a['row']['ts_exit'], b['row']['ts_exit'])
        gap = abs(b['row']['ts'] - a['row']['ts'])
        # ~100 us apart by design; a loaded machine can deschedule a racer
        # for longer, and a race 0.5 ms apart is not one a test can insist on
        if gap > RACE_JUDGED_NS:
            print('note: race %s: the calls were %d us apart: not judged' % (rnd, gap // 1000))
            continue
        judged += 1
        found = findings_of(db, 'toctou-race', 'mprotect', a['row']['id'])
        good = None
        problems = []
        for f in found:
            p = []
            if not pair <= evidence(db, f['id']):
                p.append('evidence lacks the other thread\'s call')
            if f['pid'] != int(a['pid']):
                p.append('pid %s' % f['pid'])
            if f['tid'] not in (int(a['tid']), int(b['tid'])) and f['ts'] >= t0:
                p.append('tid %s is neither racer' % f['tid'])
            # the rounds are one group: described by the first round's pair
            if f['ts'] is None or f['last_ts'] is None or not f['ts'] <= t1 or \
                    f['last_ts'] < t0:
                p.append('group [%s, %s] misses [%d, %d]' % (f['ts'], f['last_ts'], t0, t1))
            # where the two ranges overlap: [base + 1 page, base + 3 pages)
            if u64(f['addr']) != (base + pg) % M or f['len'] != 2 * pg:
                p.append('addr %s len %s, not the overlap %s, %d' % (
                    hx(f['addr']), f['len'], hx(base + pg), 2 * pg))
            if not p:
                good = f
                break
            problems.append('%s: %s' % (describe(f), ', '.join(p)))
        check(good is not None, 'race %s (calls %d us apart): %s' % (
            rnd, gap // 1000, describe(good) if good else ''),
            'race %s (calls %d us apart, tids %s and %s): no toctou-race finding with both calls:'
            ' %s' % (rnd, gap // 1000, a['tid'], b['tid'], ' | '.join(problems) or 'none'))
    check(judged >= 3, 'race: %d of %d rounds raced within %d us' % (
        judged, len(rounds), RACE_JUDGED_NS // 1000),
        'race: only %d of %d rounds raced within %d us: the workload did not race' % (
            judged, len(rounds), RACE_JUDGED_NS // 1000))


def cleanup_checks(db, lines):
    bad = []
    for l in lines:
        r = l['row']
        if not r:
            continue
        a, n = num(l, 'addr') % M, num(l, 'len')
        ended = history_rows(db, 'end_cause = ? AND end_cause_id = ?', ('munmap', r['id']))
        if not ended:
            bad.append('%s: no row ended by munmap #%d' % (l['op'], r['id']))
        live = history_rows(db, 'pid = ? AND start_addr < ? AND end_addr > ? AND ts_from <= ?'
                            ' AND (ts_to IS NULL OR ts_to > ?)',
                            (r['pid'], a + n, a, r['ts'], r['ts_exit']))
        if live:
            bad.append('%s: still mapped after munmap #%d: %s' % (
                l['op'], r['id'], '; '.join(hrow(h) for h in live)))
    check(not bad, 'cleanup: every range unmapped ends with its munmap in vma_history',
          'cleanup: %s' % ' | '.join(bad[:5]))


def benign_checks(path):
    db = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    calls = db.execute('SELECT count(*) FROM memory_call').fetchone()[0]
    hist = db.execute('SELECT count(*) FROM vma_history').fetchone()[0]
    procs = db.execute('SELECT count(DISTINCT pid) FROM memory_call').fetchone()[0]
    check(calls >= 200 and hist >= 100 and procs >= 5,
          'benign: %d calls of %d processes, %d history rows' % (calls, procs, hist),
          'benign: too little recorded to judge (%d calls, %d processes, %d history rows)' % (
              calls, procs, hist))
    high = db.execute('SELECT id, detection, severity, ts, pid, tid, comm, printf(\'0x%x\', addr),'
                      ' len, summary FROM findings WHERE severity = \'high\'').fetchall()
    check(not high, 'benign: no high-severity finding (%d findings in all)' %
          db.execute('SELECT count(*) FROM findings').fetchone()[0],
          'benign: %d high-severity findings: %s' % (len(high), '; '.join(map(str, high[:5]))))
    for row in db.execute('SELECT detection, severity, count(*) FROM findings GROUP BY 1, 2'):
        print('note: benign: %s %s x%d' % row)


def address_at(dbpath, pid, addr, ts=None):
    """`maptrail query DB address-at`: what was at addr in pid at ts (None: the end)."""
    cmd = [MAPTRAIL, 'query', dbpath, 'address-at', '-p', 'pid=%d' % pid,
           '-p', 'addr=0x%x' % (addr % M), '-f', 'json']
    if ts is not None:
        cmd += ['-p', 'ts=%d' % ts]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (' '.join(cmd), r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def lookup_checks(db, dbpath, lines, pg):
    """The question "what was at A in P at T" asked as a person would: maptrail query."""
    def line(step, op):
        l = by_op(lines, step, op)
        return l if l and l['row'] else None

    def one(what, rows, **want):
        got = rows[0] if len(rows) == 1 else {}
        bad = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
        check(len(rows) == 1 and not bad, 'address-at: %s: %s' % (
            what, ', '.join('%s=%s' % kv for kv in sorted(want.items()))),
            'address-at: %s: got %s; want %s' % (what, rows, want))

    victim, source = line('mremap-over', 'map-victim'), line('mremap-over', 'map-source')
    move = line('mremap-over', 'move-over')
    if victim and source and move:
        pid, v, m = int(move['pid']), num(victim, 'ret'), move['row']
        src = history_rows(db, 'cause = ? AND cause_id = ?', ('mmap', source['row']['id']))
        one('the victim\'s address just before the mremap',
            address_at(dbpath, pid, v, m['ts'] - 1),
            state='mapped', cause='mmap', cause_id=victim['row']['id'])
        one('the victim\'s address after the mremap',
            address_at(dbpath, pid, v + pg, m['ts_exit'] + 1),
            state='mapped', change='moved', cause='mremap', cause_id=m['id'],
            prior_id=src[0]['id'] if len(src) == 1 else 'the source mmap\'s row')
    bss = line('prior-unknown', 'bss-rx')
    if bss:
        pid, a, r = int(bss['pid']), num(bss, 'addr'), bss['row']
        one('the .bss page before the capture saw it', address_at(dbpath, pid, a, r['ts'] - 1),
            state='unknown')
        one('the .bss page after the mprotect', address_at(dbpath, pid, a, r['ts_exit']),
            state='mapped', change='protected', cause='mprotect', cause_id=r['id'],
            prior_id=None, prior_prot=None, prot=PROT['RX'])
    rwx = line('rwx', 'map-rwx')
    gone = [l for l in lines if l['step'] == 'cleanup' and l['row'] and rwx and
            num(l, 'addr') == num(rwx, 'ret')]
    if rwx and gone:
        one('the RWX page at the end', address_at(dbpath, int(rwx['pid']), num(rwx, 'ret')),
            state='unmapped', end_cause='munmap', end_cause_id=gone[0]['row']['id'])


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit('usage: detections.py INJECTOR.OUT INJECTOR.DB [BENIGN.DB]')
    lines, pg = parse(sys.argv[1])
    db = sqlite3.connect('file:%s?mode=ro' % sys.argv[2], uri=True)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    missing = [t for t in ('memory_call', 'vma_history', 'findings', 'finding_evidence')
               if t not in names]
    # the call rows first: they need nothing of the history
    match_rows(db, lines, 'memory_call' in names)
    if missing:
        fail('%s: no %s (analyze does not build them?)' % (sys.argv[2], ', '.join(missing)))
        if 'vma_history' in missing or 'findings' in missing:
            sys.exit(1)
    bad = db.execute('SELECT count(*) FROM findings WHERE severity_rank IS NOT CASE severity'
                     ' WHEN \'high\' THEN 3 WHEN \'medium\' THEN 2 WHEN \'low\' THEN 1'
                     ' WHEN \'info\' THEN 0 END').fetchone()[0]
    check(bad == 0, 'findings: severity_rank agrees with severity',
          'findings: %d rows whose severity_rank is not their severity\'s' % bad)
    injector_checks(db, lines, pg)
    # and nothing else: the loader's and libc's own calls (libraries mapped,
    # RELRO made read-only, thread stacks) are not findings
    printed = {(l['call'], l['row']['id']) for l in lines if l['row']}
    other = [f for f in db.execute('SELECT f.id, f.detection, f.severity, e.call, e.call_id'
                                   ' FROM findings f JOIN finding_evidence e'
                                   ' ON e.finding_id = f.id')
             if (f[3], f[4]) not in printed]
    check(not other, 'no finding about a call injector did not make (%d findings in all)' %
          db.execute('SELECT count(*) FROM findings').fetchone()[0],
          'findings about calls injector did not make: %s' % other[:5])
    miscounted = db.execute('SELECT f.id, f.detection, f.calls, (SELECT count(*)'
                            ' FROM finding_evidence e WHERE e.finding_id = f.id) AS n'
                            ' FROM findings f WHERE f.calls IS NOT n').fetchall()
    check(not miscounted, 'every finding counts its calls: the rows of its evidence',
          'findings whose calls differ from their evidence rows: %s' % miscounted[:5])
    if MAPTRAIL:
        try:
            lookup_checks(db, sys.argv[2], lines, pg)
        except (RuntimeError, ValueError) as e:
            fail('address-at: %s' % e)
    else:
        print('note: MAPTRAIL not set: the address-at lookups through maptrail query skipped')
    if len(sys.argv) == 4:
        try:
            benign_checks(sys.argv[3])
        except sqlite3.OperationalError as e:
            fail('benign: cannot check: %s' % e)
    if failures:
        print('detections: %d check(s) failed' % failures)
        sys.exit(1)
    print('detections: all checks passed')


if __name__ == '__main__':
    main()
