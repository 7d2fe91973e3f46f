#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks maptrail report's three renderings against the database itself.

    report-check.py DB DOM.html REPORT.md REPORT.txt

DOM.html is what headless Chromium made of the HTML report (--dump-dom): the
page as a person's browser builds it, not the file as written.  Every
expected value comes from the database through Python's sqlite3, never from
maptrail's C code: the captures' sha256 and event counts, each finding's
title, the processes of the summaries, and the bars of "calls over time"
(binned here from the call tables' timestamps) and the lanes of the
address-space timelines (distinct ranges of vma_history).
Prints what it checked; exits 1 on the first difference.
"""
import html.parser
import re
import sqlite3
import sys

BINS = 60           # report/report-model.h REP_BINS
MAX_PROCESSES = 50  # REP_MAX_PROCESSES
MAX_CHARTS = 12     # REP_MAX_CHARTS
MAX_TIMELINES = 6   # REP_MAX_TIMELINES
MAX_LANES = 32      # REP_MAX_LANES
PER_GROUP = 20      # REP_MAX_PER_GROUP: findings shown per group (detection, severity)
WIDTH = 100         # columns of the text report

VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source',
        'track', 'wbr'}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.parts = [], []

    def classes(self):
        return (self.attrs.get('class') or '').split()

    def text(self):
        out = []

        def walk(n):
            for p in n.parts:
                if isinstance(p, str):
                    out.append(p)
                else:
                    out.append(' ')     # elements apart, as a reader sees them
                    walk(p)
                    out.append(' ')
        walk(self)
        return re.sub(r'\s+', ' ', ''.join(out)).strip()

    def find_all(self, tag=None, cls=None):
        for c in self.children:
            if (tag is None or c.tag == tag) and (cls is None or cls in c.classes()):
                yield c
            yield from c.find_all(tag, cls)


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#root', {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def md_plain(text):
    """The Markdown report without its escapes: what a reader sees."""
    return re.sub(r'\\([\\`*_\[\]<>|#!~&])', r'\1', text)


def main():
    db_path, dom_path, md_path, txt_path = sys.argv[1:5]
    db = sqlite3.connect('file:%s?mode=ro' % db_path, uri=True)
    q = lambda sql, *a: db.execute(sql, a).fetchall()

    tree = Tree()
    tree.feed(open(dom_path, encoding='utf-8').read())
    page = tree.root.text()
    md = md_plain(open(md_path, encoding='utf-8').read())
    txt = open(txt_path, encoding='utf-8').read()
    flat_txt = ' '.join(txt.split())    # lines wrapped at 100 columns, joined again
    checked = []

    # What was captured: the sha256 and the event count of every capture.
    events = 0
    for sha, n in q('SELECT sha256, event_count FROM capture ORDER BY id'):
        events += n
        for name, text in (('page', page), ('markdown', md), ('text', txt)):
            if sha not in text:
                fail('%s: no sha256 %s' % (name, sha))
    summary = next(tree.root.find_all('section', None), None)
    if summary is None or summary.attrs.get('id') != 'summary':
        fail('page: no summary box at the top')
    cards = {c.find_all('div', 'k').__next__().text().strip().lower():
             next(c.find_all('div', 'v')).text().strip() for c in summary.find_all('div', 'card')}
    if cards.get('events') != '{:,}'.format(events):
        fail('page: summary says %s events, the database %d' % (cards.get('events'), events))
    if '| {:,} |'.format(events) not in md:
        fail('markdown: no event count %d in its summary' % events)
    checked.append('sha256 and %d events' % events)

    # Findings: every title (the report shows every detection at a glance).
    titles = [t for (t,) in q('SELECT DISTINCT title FROM findings')]
    counts = dict(q('SELECT severity, count(*) FROM findings GROUP BY 1'))
    for t in titles:
        if t not in page:
            fail('page: no finding titled %r' % t)
        if t not in md:
            fail('markdown: no finding titled %r' % t)
        if ' '.join(t.split()) not in flat_txt:
            fail('text: no finding titled %r' % t)
    sevs = ' '.join(summary.text().split())
    for sev in ('high', 'medium', 'low', 'info'):
        if not re.search(r'\b%s %d\b' % (sev, counts.get(sev, 0)), sevs, re.I):
            fail('page: summary does not count %d %s findings: %s' % (counts.get(sev, 0), sev, sevs))
    total = sum(counts.values())
    # Every group (a detection at a severity) shows its first PER_GROUP findings in time
    # order, whatever the size of the others, and counts the rest exactly.
    groups = q('SELECT severity, detection, title, count(*) FROM findings GROUP BY severity_rank,'
               ' detection ORDER BY severity_rank DESC, min(ts), detection')
    want_ids = set()
    for sev, det, title, n in groups:
        ids = [i for (i,) in q('SELECT id FROM findings WHERE severity = ? AND detection = ?'
                               ' ORDER BY ts, id LIMIT ?', sev, det, PER_GROUP)]
        want_ids.update(ids)
        more = n - len(ids)
        heading = '[%s] %s (%s): %d finding%s' % (sev.upper(), title, det, n, '' if n == 1 else 's')
        if heading not in flat_txt:
            fail('text: no group heading %r' % heading)
        if '%s: %s (%d finding%s)' % (sev, title, n, '' if n == 1 else 's') not in md:
            fail('markdown: no group heading for %s %s with %d findings' % (sev, det, n))
        for name, text, line in (
                ('text', flat_txt, '... and %d more %s %s findings' % (more, sev, det)),
                ('markdown', md, '... and %d more %s `%s` findings' % (more, sev, det)),
                ('page', page, '... and %d more %s %s findings' % (more, sev, det))):
            if (line in text) != (more > 0):
                fail('%s: group %s %s: %r %s' % (name, sev, det, line,
                                                 'missing' if more else 'with nothing more'))
    shown = {int(r.attrs['id'][1:]): r for r in tree.root.find_all('tr')
             if re.match(r'f\d+$', r.attrs.get('id', ''))}
    if set(shown) != want_ids:
        fail('page: findings shown %s, the first %d of each group are %s'
             % (sorted(shown)[:10], PER_GROUP, sorted(want_ids)[:10]))
    # each with its process's executable, parent, and the rule that lowered it
    for fid, exe, ppid, lowered in q('SELECT id, exe, ppid, lowered_by FROM findings'):
        if fid not in shown:
            continue
        row = shown[fid].text()
        for what, value in (('exe', exe or 'exe unknown'), ('parent', ppid and 'parent %d' % ppid),
                            ('lowered_by', lowered)):
            if value and value not in row:
                fail('page: finding %d: %s %r not in its row %r' % (fid, what, value, row))
    # the findings first: capture details after them in every rendering
    for name, text in (('page', page), ('markdown', md), ('text', txt)):
        at = text.find('1. Findings')
        if at < 0 or not at < text.find('5. What was captured'):
            fail('%s: the findings do not come before what was captured' % name)
    checked.append('%d findings, %d titles, %d groups, %d shown'
                   % (total, len(titles), len(groups), len(shown)))

    # Per-process summaries: every process that made a call (up to the table's bound).
    procs = dict(q('SELECT coalesce(pid, tid), count(*) FROM memory_call GROUP BY 1'))
    rows = {int(r.attrs['data-pid']): r for r in tree.root.find_all('tr')
            if 'data-pid' in r.attrs}
    if len(rows) != min(len(procs), MAX_PROCESSES):
        fail('page: %d process rows, the database has %d processes' % (len(rows), len(procs)))
    for pid, row in rows.items():
        if pid not in procs:
            fail('page: process %d has no calls in the database' % pid)
        cells = [c.text().strip() for c in row.find_all('td')]
        if '{:,}'.format(procs[pid]) not in cells:
            fail('page: process %d: %d calls not in its row %s' % (pid, procs[pid], cells))
        if not re.search(r'^\| %d \|.*\| %s \|' % (pid, re.escape('{:,}'.format(procs[pid]))),
                         md, re.M):
            fail('markdown: no row for process %d with %d calls' % (pid, procs[pid]))
        if not re.search(r'^%d +' % pid, txt, re.M):
            fail('text: no row for process %d' % pid)
    checked.append('%d process rows' % len(rows))

    # Calls over time: the busiest process's bars, binned here from the call tables.
    first, last = q('SELECT first_ts, last_ts FROM capture ORDER BY id LIMIT 1')[0]
    busiest = max(procs, key=lambda p: (procs[p], -p))
    calls = [c for (c,) in q("SELECT name FROM schema_event WHERE family = 'memory' AND name IN"
                             " (SELECT name FROM sqlite_master WHERE type = 'table')")]
    bins = {}
    for call in calls:
        for (ts,) in q('SELECT ts FROM "%s" WHERE coalesce(pid, tid) = ? AND capture_id = 1'
                       % call.replace('"', '""'), busiest):
            key = (call, min(max((ts - first) * BINS // (last - first + 1), 0), BINS - 1))
            bins[key] = bins.get(key, 0) + 1
    charts = {int(s.attrs['data-pid']): s for s in tree.root.find_all('svg', 'calls')}
    if len(charts) != min(len(procs), MAX_CHARTS):
        fail('page: %d charts of calls over time for %d processes' % (len(charts), len(procs)))
    if busiest not in charts:
        fail('page: no chart of calls over time for process %d' % busiest)
    bars = list(charts[busiest].find_all('rect', 'bar'))
    if len(bars) != len(bins):
        fail('page: process %d has %d bars, %d (call, bin) groups in the database'
             % (busiest, len(bars), len(bins)))
    drawn = {}
    for b in bars:
        drawn[b.attrs['data-call']] = drawn.get(b.attrs['data-call'], 0) + int(b.attrs['data-n'])
    for call in calls:
        want = sum(n for (c, _), n in bins.items() if c == call)
        if drawn.get(call, 0) != want:
            fail('page: process %d: %s bars add up to %d, the database has %d calls'
                 % (busiest, call, drawn.get(call, 0), want))
    checked.append('process %d: %d bars, %d calls' % (busiest, len(bars), procs[busiest]))

    # Address-space timelines: the processes with findings, one lane per distinct range.
    with_findings = {p for (p,) in q('SELECT DISTINCT pid FROM findings WHERE pid IS NOT NULL')}
    timelines = {int(s.attrs['data-pid']): s for s in tree.root.find_all('svg', 'timeline')}
    want = min(len([p for p in with_findings
                    if q('SELECT 1 FROM vma_history WHERE pid = ? LIMIT 1', p)]), MAX_TIMELINES)
    if len(timelines) != want:
        fail('page: %d address-space timelines, %d expected' % (len(timelines), want))
    for pid, svg in timelines.items():
        if pid not in with_findings:
            fail('page: timeline of process %d, which has no finding' % pid)
        ranges = q('SELECT count(*) FROM (SELECT DISTINCT start_addr, end_addr FROM vma_history'
                   ' WHERE pid = ?)', pid)[0][0]
        lanes = list(svg.find_all('g', 'lane'))
        if len(lanes) != min(ranges, MAX_LANES):
            fail('page: process %d: %d lanes for %d ranges' % (pid, len(lanes), ranges))
        starts = [int(g.attrs['data-start'], 16) for g in lanes]
        if starts != sorted(starts):
            fail('page: process %d: lanes not in address order' % pid)
        if not list(svg.find_all('rect', 'span')):
            fail('page: process %d: no state drawn' % pid)
        # a mark for each finding of the process the page lists (every group shows some)
        marks = len(list(svg.find_all('g', 'finding-mark')))
        of_pid = len([i for (i,) in q('SELECT id FROM findings WHERE pid = ? AND ts IS NOT NULL',
                                      pid) if i in want_ids])
        if marks != of_pid:
            fail('page: process %d: %d finding marks for %d findings shown' % (pid, marks, of_pid))
        checked.append('timeline of %d: %d lanes, %d marks' % (pid, len(lanes), marks))

    # The text fits a terminal.
    wide = [l for l in txt.splitlines() if len(l) > WIDTH]
    if wide:
        fail('text: %d lines wider than %d columns, first: %r' % (len(wide), WIDTH, wide[0]))
    checked.append('text within %d columns' % WIDTH)
    print('report-check: ' + '; '.join(checked))


if __name__ == '__main__':
    main()
