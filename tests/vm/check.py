#!/usr/bin/python3
"""The VM test's checks of the databases and the plan (tests/vm/run.sh).

    check.py OUTDIR KERNEL

OUTDIR holds what the VM sent back and the host made of it:
  k.out, k.db   the workload's printed calls, maptrail record --backend kprobe
  t.out, t.db   the same workload, maptrail record --backend tracepoint
  k.dat         (its kallsyms, read by trace-cmd dump, are the VM's symbols)
  plan.txt      maptrail record --plan in the VM

1. k.db: the workload's calls are exactly the last rows of its process in the
   call tables (every table, in time order): same call, same ABI (call_source),
   every argument (read by the kprobes' fetch arguments), ret (the
   kretprobes' $retval) and errno; every row has both halves.  The rows
   before them may only be the static C library's start-up (brk, mprotect of
   RELRO) or maptrail's child before the exec.  The i386 mprotect is a row of
   source abi 'i386' read at __ia32_sys_mprotect.  No other process is there.
2. t.db: the same for the native calls, through syscalls:sys_enter_*/exit_*:
   and none of the i386 calls is there -- a tracepoint capture cannot see
   them; that is the forensic reason for kprobes.
3. k.db (and s.db): the files by name.  The workload openat()s a file under
   /tmp and memfd_create()s a memfd, prints each descriptor and the string it
   passed, and maps both r-x: the kprobes on __x64_sys_openat and
   __x64_sys_memfd_create fetched the strings (the call tables hold them as
   TEXT), the descriptors' lives (fd_history, path_source 'call') and the
   mappings (vma_file, path_source 'fd call') carry exactly the printed
   strings, the recorder's independent look at /proc (mmap_file) agrees
   (/tmp/... itself, and /memfd:NAME (deleted)), and the findings
   exec-writable-place and exec-memfd name them at the mapped addresses.
   A third openat reads its path from a page mapped but never touched: the
   kprobe cannot fault it in, so the call row's path is NULL, nothing is
   named from the call, and the mapping takes /proc's name -- never a guess.
   t.db: the same workload through tracepoints: the call tables hold the
   pointers (INTEGER), nothing is named from a call, and the mappings take
   /proc's names ('recorder maps') -- the tracepoint path, unchanged.
4. plan.txt: kprobes available on KERNEL; every hook of schema_hook reported
   with what it is on this kernel, checked against the VM's kallsyms: a
   symbol the kernel has is reported found, one it lacks (do_mremap on 6.1)
   is reported absent, a hook with no Linux symbol (update_mmap_zero_pfn)
   says so; the documented names themselves are not symbols of this kernel
   unless the schema says the hook exists on recent kernels.
"""
import os
import re
import sqlite3
import subprocess
import sys

M64 = 1 << 64
problems = []


def problem(text):
    problems.append(text)


def verdict(before):
    return 'ok' if len(problems) == before else 'BAD'


def printed_calls(path):
    lines = open(path).read().splitlines()
    pid = int(re.match(r'pid=(\d+)$', lines[0]).group(1))
    calls = []
    for line in lines[1:]:
        if line.startswith('file='):
            continue
        kv = dict(item.split('=', 1) for item in line.split())
        call = {'event': kv.pop('call'), 'abi': kv.pop('abi'), 'tid': int(kv.pop('tid')),
                'ret': int(kv.pop('ret'), 0) % M64, 'errno': int(kv.pop('errno')),
                'line': line}
        call['args'] = {k: int(v, 0) % M64 for k, v in kv.items()}
        calls.append(call)
    return pid, calls


def call_rows(db, pid):
    """Every call row of process pid, all memory call tables, in time order (the identity
    calls the workload's libc makes, open and close, are not the ones it prints)."""
    args = {}
    for event, name in db.execute("SELECT event, name FROM schema_arg WHERE event IN (SELECT"
                                  " name FROM schema_event WHERE family = 'memory')"
                                  " ORDER BY event, position"):
        args.setdefault(event, []).append(name)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    rows = []
    others = 0
    for event in args:
        if event not in tables:
            continue
        cols = ', '.join('c."%s"' % a for a in args[event])
        q = ('SELECT c.ts, c.id, c.tid, c.comm, s.backend, s.abi, s.enter_table, c.ret, c.errno,'
             ' c.enter_id, c.exit_id, %s FROM "%s" c JOIN call_source s ON s.id = c.source_id'
             ' WHERE c.pid = ?' % (cols, event))
        for r in db.execute(q, (pid,)):
            rows.append({'event': event, 'ts': r[0], 'id': r[1], 'tid': r[2], 'comm': r[3],
                         'backend': r[4], 'abi': r[5], 'enter_table': r[6],
                         'ret': None if r[7] is None else r[7] % M64, 'errno': r[8] or 0,
                         'halves': r[9] is not None and r[10] is not None,
                         'args': {a: (None if v is None else v % M64)
                                  for a, v in zip(args[event], r[11:])}})
        others += db.execute('SELECT count(*) FROM "%s" WHERE pid != ?' % event, (pid,)).fetchone()[0]
    rows.sort(key=lambda r: (r['ts'] if r['ts'] is not None else -1, r['id']))
    return rows, others


def same(call, row):
    return (call['event'] == row['event'] and call['abi'] == row['abi'] and
            call['tid'] == row['tid'] and call['args'] == row['args'] and
            call['ret'] == row['ret'] and call['errno'] == row['errno'] and row['halves'])


def show(row):
    return '%s/%s %s %s ret=%s errno=%s' % (
        row['event'], row['abi'], row['comm'],
        ' '.join('%s=%#x' % (k, v) if v is not None else '%s=NULL' % k
                 for k, v in row['args'].items()),
        hex(row['ret']) if row['ret'] is not None else 'NULL', row['errno'])


def check_prefix(name, prefix):
    for r in prefix:
        startup = r['comm'] == 'workload' and r['event'] in ('brk', 'mprotect') and r['halves']
        if not (startup or r['comm'] != 'workload'):
            problem('%s: a call row the workload did not print: %s' % (name, show(r)))
    return ', '.join(sorted({'%s %s' % (r['comm'], r['event']) for r in prefix})) or 'none'


def check_kprobe(out, cap='k', what='kprobe capture'):
    before = len(problems)
    pid, calls = printed_calls(os.path.join(out, cap + '.out'))
    db = sqlite3.connect(os.path.join(out, cap + '.db'))
    # the memory calls: most identity events (close, dup, ...) have tracepoint rows only
    # (the kprobe ones, openat and memfd_create, are check_names' business)
    backends = {r[0] for r in db.execute(
        "SELECT DISTINCT backend FROM call_source WHERE event IN"
        " (SELECT name FROM schema_event WHERE family = 'memory')")}
    if backends != {'kprobe'}:
        problem(cap + '.db: memory calls\' call_source backends %s, want only kprobe'
                % sorted(backends))
    rows, others = call_rows(db, pid)
    if others:
        problem(cap + '.db: %d call rows of other processes' % others)
    tail = rows[-len(calls):] if len(rows) >= len(calls) else rows
    matched = 0
    for call, row in zip(calls, tail):
        if same(call, row):
            matched += 1
        else:
            problem(cap + '.db: printed  %s\n         row is %s' % (call['line'], show(row)))
    if matched != len(calls):
        problem(cap + '.db: %d of the %d printed calls are call rows (%d rows of the process)'
                % (matched, len(calls), len(rows)))
    prefix = check_prefix(cap + '.db', rows[:len(rows) - len(tail)])
    # The i386 mprotect, read where the 32-bit entry is.
    symbol = db.execute(
        "SELECT symbol FROM schema_source WHERE event = 'mprotect' AND backend = 'kprobe'"
        " AND arch = 'x86_64' AND abi = 'i386'").fetchone()
    i386 = [c for c in calls if c['abi'] == 'i386']
    i386_rows = [r for r in tail if r['abi'] == 'i386' and r['event'] == 'mprotect']
    if not i386_rows or symbol is None or symbol[0] != '__ia32_sys_mprotect' or \
            i386_rows[0]['enter_table'] != 'maptrail__mprotect_ia32':
        problem(cap + '.db: no i386 mprotect row from __ia32_sys_mprotect (%r, %r)' % (symbol, i386_rows))
    print('%s: %s: %d/%d workload calls are its last %d call rows, exactly '
          '(arguments from fetch args, ret from kretprobes), %d through int $0x80 with abi i386 '
          '(%s); before them: %s' % (
              verdict(before), what, matched, len(calls), len(calls), len(i386),
              ', '.join(sorted({c['event'] for c in i386})), prefix))
    return calls


def check_tracepoint(out):
    before = len(problems)
    pid, calls = printed_calls(os.path.join(out, 't.out'))
    db = sqlite3.connect(os.path.join(out, 't.db'))
    sources = {r for r in db.execute('SELECT DISTINCT backend, abi FROM call_source')}
    if sources != {('tracepoint', 'native')}:
        problem('t.db: call_source %s, want tracepoint/native only' % sorted(sources))
    rows, others = call_rows(db, pid)
    if others:
        problem('t.db: %d call rows of other processes' % others)
    native = [c for c in calls if c['abi'] == 'native']
    i386 = [c for c in calls if c['abi'] == 'i386']
    tail = rows[-len(native):] if len(rows) >= len(native) else rows
    matched = 0
    for call, row in zip(native, tail):
        if same(call, row):
            matched += 1
        else:
            problem('t.db: printed  %s\n         row is %s' % (call['line'], show(row)))
    if matched != len(native):
        problem('t.db: %d of the %d printed native calls are call rows (%d rows of the process)'
                % (matched, len(native), len(rows)))
    check_prefix('t.db', rows[:len(rows) - len(tail)])
    seen = []
    for c in i386:
        for r in rows:
            if r['event'] == c['event'] and r['ret'] == c['ret'] and \
                    set(c['args'].values()) <= set(r['args'].values()):
                seen.append(c['line'])
    if seen:
        problem('t.db: a tracepoint capture holds an i386 call: %s' % seen)
    if not i386:
        problem('t.out: the workload made no i386 call')
    print('%s: tracepoint capture of the same workload on the same kernel: %d/%d native calls '
          'exactly, %d of the %d i386 calls (int $0x80 %s): syscall tracepoints do not see them'
          % (verdict(before), matched, len(native), len(seen), len(i386),
             ', '.join(c['event'] for c in i386)))


def printed_files(path):
    """The file= lines: call, fd and the path (memfd name) passed, in order."""
    files = []
    for line in open(path).read().splitlines():
        if line.startswith('file='):
            kv = dict(item.split('=', 1) for item in line.split())
            files.append({'call': kv['file'], 'fd': int(kv['fd']), 'path': kv['path'],
                          'unread': kv.get('unread') == '1', 'line': line})
    return files


def check_names(out, cap, what):
    """The files the workload opened, named in cap.db by the strings it passed (kprobe
    captures) or by /proc (tracepoint captures)."""
    before = len(problems)
    kprobes = cap != 't'
    pid, calls = printed_calls(os.path.join(out, cap + '.out'))
    files = printed_files(os.path.join(out, cap + '.out'))
    db = sqlite3.connect(os.path.join(out, cap + '.db'))
    if not files:
        # an older vmwork's output (the fixtures, tests/e2e/kprobe-fixture.sh); run.sh
        # makes sure the workload it builds prints them
        print('ok: %s: no file= lines (an older workload): names not checked' % what)
        return
    if [(f['call'], f['unread']) for f in files] != [('openat', False), ('memfd_create', False),
                                                     ('openat', True)]:
        problem('%s.out: want openat, memfd_create and an unread openat, got %s' % (cap, files))
        return
    shown = []
    for f in files:
        # the path of an unread one was in a page never touched: no kprobe can read it
        fetched = kprobes and not f['unread']
        # The mmap the workload printed right after the file= line, and where it landed.
        nxt = open(os.path.join(out, cap + '.out')).read().splitlines()
        line = nxt[nxt.index(f['line']) + 1]
        m = [c for c in calls if c['line'] == line]
        if not m or m[0]['event'] != 'mmap' or m[0]['args']['fd'] != f['fd']:
            problem('%s.out: no mmap of fd %d after %s' % (cap, f['fd'], f['line']))
            continue
        addr = m[0]['ret']
        arg = 'filename' if f['call'] == 'openat' else 'uname'
        row = db.execute('SELECT typeof(c."%s"), c."%s", s.backend FROM "%s" c JOIN call_source s'
                         ' ON s.id = c.source_id WHERE c.pid = ? AND c.ret = ?'
                         ' ORDER BY c.ts DESC LIMIT 1' % (arg, arg, f['call']),
                         (pid, f['fd'])).fetchone()
        want = ('text', f['path'], 'kprobe') if fetched else \
            ('null', None, 'kprobe') if kprobes else ('integer', row and row[1], 'tracepoint')
        if row != want:
            problem('%s.db: the %s call that made fd %d: (type, %s, backend) %s, want %s'
                    % (cap, f['call'], f['fd'], arg, row, want))
        life = db.execute("SELECT path, path_source, kind FROM fd_history WHERE pid = ? AND"
                          " fd = ? AND cause = ? ORDER BY ts_from DESC LIMIT 1",
                          (pid, f['fd'], f['call'])).fetchone()
        kind = 'file' if f['call'] == 'openat' else 'memfd'
        # /proc, as the recorder read it behind the mapping: an independent reader.
        proc = f['path'] if kind == 'file' else '/memfd:%s (deleted)' % f['path']
        # without a fetched string, the descriptor's name is what a snapshot saw, if any
        ok = life == (f['path'], 'call', kind) if fetched else \
            life in ((None, None, kind), (proc, 'snapshot', kind))
        if not ok:
            problem('%s.db: fd_history of fd %d: %s, want %s' % (
                cap, f['fd'], life, (f['path'], 'call', kind) if fetched else
                'no name or /proc\'s from a snapshot'))
        # The workload keeps them mapped 300 ms: 'maps', or 'fd' should it have been slow,
        # or, on a starved host, 'gone' (too late: no name, which the fetched strings do
        # not need).
        rec = db.execute("SELECT path, how FROM mmap_file WHERE tgid = ? AND addr = ?",
                         (pid, addr)).fetchall()
        gone = rec == [('', 'gone')]
        if not gone and (len(rec) != 1 or rec[0][0] != proc or rec[0][1] not in ('maps', 'fd')):
            problem('%s.db: the recorder found %s behind 0x%x, want [(%r, maps)]'
                    % (cap, rec, addr, proc))
        vf = db.execute("SELECT path, path_source, memfd, place FROM vma_file WHERE pid = ? AND"
                        " addr = ? AND map_call = 'mmap'", (pid, addr)).fetchall()
        if fetched:
            want = [(f['path'], 'fd call', int(kind == 'memfd'),
                     '/tmp' if kind == 'file' else None)]
        elif gone:
            want = [(None, 'recorder gone', int(kind == 'memfd') or None, None)]
        else:
            want = [(proc, 'recorder ' + rec[0][1], int(kind == 'memfd'),
                     '/tmp' if kind == 'file' else None)]
        if vf != want:
            problem('%s.db: vma_file at 0x%x: %s, want %s' % (cap, addr, vf, want))
        if f['unread']:
            shown.append('%s fd %d from an untouched page -> %s NULL, mapped at 0x%x named by %s'
                         % (f['call'], f['fd'], arg, addr, vf[0][1] if vf else '?'))
            if gone:
                shown[-1] += ' (the recorder was too late: no name, none guessed)'
            continue
        detection = 'exec-writable-place' if kind == 'file' else 'exec-memfd'
        hits = db.execute("SELECT severity, summary FROM findings WHERE detection = ? AND"
                          " pid = ? AND addr = ?", (detection, pid, addr)).fetchall()
        name = want[0][0]
        if len(hits) != 1 or ' of %s (' % name not in hits[0][1]:
            problem('%s.db: %s at 0x%x: want one finding naming %s, got %s'
                    % (cap, detection, addr, name, hits))
        shown.append('%s fd %d -> %s %s at 0x%x (%s)' % (
            f['call'], f['fd'], detection, hits[0][0] if hits else '-', addr,
            vf[0][0] if vf else '?'))
    print('%s: %s: %s; %s' % (verdict(before), what,
                              'named by the strings the calls were given' if kprobes
                              else 'named by /proc, the calls hold pointers', '; '.join(shown)))


def check_plan(out, kernel):
    before = len(problems)
    plan = open(os.path.join(out, 'plan.txt')).read()
    first = plan.splitlines()[0] if plan else ''
    if kernel not in first or 'kprobes available' not in first:
        problem('plan: first line is %r, want kernel %s with kprobes available' % (first, kernel))
    dump = subprocess.run(['trace-cmd', 'dump', '--kallsyms', '-i', os.path.join(out, 'k.dat')],
                          capture_output=True, text=True, check=True).stdout
    syms = {f[2] for f in (line.split() for line in dump.splitlines()) if len(f) >= 3}
    if len(syms) < 10000:
        problem('k.dat: only %d kallsyms' % len(syms))
    db = sqlite3.connect(os.path.join(out, 'k.db'))
    table = []
    memory = {r[0] for r in db.execute("SELECT name FROM schema_event WHERE family = 'memory'")}
    # The memory events: most identity events (schema/70-identity.sql) have
    # tracepoint sources only, and captures older than them lack them.
    for event, documented, status, symbol in db.execute(
            "SELECT event, documented, status, linux_symbol FROM schema_hook WHERE event IN"
            " (SELECT name FROM schema_event WHERE family = 'memory') ORDER BY rowid"):
        lines = [l.strip() for l in plan.splitlines()
                 if re.match(r'\s*hook %s \(' % re.escape(documented), l)]
        if not lines:
            problem('plan: hook %s (%s) not reported' % (documented, event))
            continue
        line = lines[0]
        found = re.search(r'\bin (available_filter_functions|kallsyms)', line) is not None
        if symbol is None:
            ok = status in line and not found
            truth = 'no symbol'
        elif symbol in syms:
            ok = symbol in line and found
            truth = 'present'
        else:
            ok = symbol in line and not found and re.search(r'\bnot\b|absent|missing', line)
            truth = 'absent'
        # The documented name is not a symbol here unless the hook is a real
        # function of recent kernels (do_mremap: 6.18 yes, 6.1 no).
        if documented in syms and documented != symbol:
            problem('plan: %s is a symbol of %s, the schema says %s' % (documented, kernel, status))
        if not ok:
            problem('plan: hook %s: %s on %s, but the plan says: %s' % (documented, truth, kernel, line))
        table.append('  %-16s %s' % (event, re.sub(r'^hook ', '', line)))
    # the memory events, and the identity events whose path a kprobe fetches where the
    # recorder's schema had that kprobe (an older plan, the fixtures', had not)
    for event in [r[0] for r in db.execute(
            "SELECT name FROM schema_event WHERE family = 'memory' OR name IN (SELECT event"
            " FROM schema_source WHERE backend = 'kprobe')")]:
        if event not in memory and not re.search(r' maptrail:%s_x64 ' % re.escape(event), plan):
            continue
        if not re.search(r'^%s: kprobe$' % re.escape(event), plan, re.M):
            problem('plan: event %s is not on kprobes' % event)
    print('%s: plan on %s: every documented hook reported, checked against its kallsyms:'
          % (verdict(before), kernel))
    print('\n'.join(table))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, kernel = sys.argv[1], sys.argv[2]
    check_kprobe(out)
    check_tracepoint(out)
    check_names(out, 'k', 'kprobe capture, the files mapped r-x')
    check_names(out, 't', 'tracepoint capture, the files mapped r-x')
    check_plan(out, kernel)
    if os.path.exists(os.path.join(out, 's.db')):
        check_kprobe(out, 's', 'maptrail-record (static, no libc) capture')
        check_names(out, 's', 'maptrail-record capture, the files mapped r-x')
    if problems:
        for p in problems:
            print('FAIL: ' + p, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
