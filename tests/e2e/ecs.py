#!/usr/bin/env python3
"""The findings as ECS alerts, checked against ECS's own field list and the database.

    tests/e2e/ecs.py FIELDS.csv DB NDJSON

FIELDS.csv is ECS's published generated/csv/fields.csv (tests/fixtures/ecs/).
Every line of NDJSON is one JSON object; flattened to dotted names, every field
is an ECS field (or under maptrail., the custom namespace) whose JSON value has
the field's type (an array where ECS normalizes to one); the required ones are
there; and each document says what the database's findings table (read with
the sqlite3 module, not maptrail) says of that finding.
"""
import csv
import json
import re
import sqlite3
import sys

fields = {}
with open(sys.argv[1], newline='') as f:
    for row in csv.DictReader(f):
        fields[row['Field']] = (row['Type'], row['Normalization'])
if len(fields) < 1000 or '@timestamp' not in fields:
    sys.exit('%s is not ECS\'s field list (%d fields)' % (sys.argv[1], len(fields)))

STRING = {'keyword', 'constant_keyword', 'wildcard', 'match_only_text', 'text', 'ip', 'date', 'version'}
NUMBER = {'long', 'integer', 'short', 'byte', 'unsigned_long', 'float', 'double', 'scaled_float'}
problems = []


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + '.' + k if prefix else k, v, out)
    else:
        out[prefix] = value


def type_ok(ecs_type, v):
    if ecs_type in STRING:
        return isinstance(v, str)
    if ecs_type in NUMBER:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if ecs_type == 'boolean':
        return isinstance(v, bool)
    return isinstance(v, (dict, list, str))      # object, flattened, nested


db = sqlite3.connect(sys.argv[2])
findings = {str(r[0]): r[1:] for r in db.execute(
    'SELECT id, detection, title, mitre, pid, comm, severity_rank FROM findings')}
host = db.execute('SELECT hostname FROM capture').fetchone()[0]
docs = 0
custom = set()
used = set()
for n, line in enumerate(open(sys.argv[3]), 1):
    doc = json.loads(line)
    flat = {}
    flatten('', doc, flat)
    for name, v in flat.items():
        if name.startswith('maptrail.'):
            custom.add(name)
            continue
        if name not in fields:
            problems.append('line %d: %s is not an ECS field' % (n, name))
            continue
        used.add(name)
        t, norm = fields[name]
        values = v if isinstance(v, list) else [v]
        if norm == 'array' and not isinstance(v, list):
            problems.append('line %d: %s is an array in ECS, here %r' % (n, name, v))
        if isinstance(v, list) and norm != 'array' and t not in ('nested', 'flattened', 'object'):
            problems.append('line %d: %s is not an array in ECS, here %r' % (n, name, v))
        for x in values:
            if not type_ok(t, x):
                problems.append('line %d: %s is %s in ECS, here %r' % (n, name, t, x))
    for req in ('@timestamp', 'event.kind', 'rule.name', 'host.name', 'message',
                'ecs.version', 'event.id'):
        if req not in flat:
            problems.append('line %d: no %s' % (n, req))
    if flat.get('event.kind') != 'alert':
        problems.append('line %d: event.kind %r' % (n, flat.get('event.kind')))
    if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', flat.get('@timestamp', '')):
        problems.append('line %d: @timestamp %r is not UTC ISO 8601' % (n, flat.get('@timestamp')))
    f = findings.get(flat.get('event.id'))
    if f is None:
        problems.append('line %d: event.id %r is no finding' % (n, flat.get('event.id')))
        continue
    detection, title, mitre, pid, comm, rank = f
    want = {'rule.name': detection, 'rule.description': title, 'process.pid': pid,
            'process.name': comm, 'host.name': host, 'event.severity': rank}
    for k, w in want.items():
        if w is not None and flat.get(k) != w:
            problems.append('line %d: %s is %r, the database says %r' % (n, k, flat.get(k), w))
    ids = re.findall(r'\bT\d{4}\b', mitre or '')
    if ids and flat.get('threat.technique.id') != ids:
        problems.append('line %d: threat.technique.id %r, mitre says %r' % (
            n, flat.get('threat.technique.id'), mitre))
    ev = db.execute('SELECT count(*) FROM finding_evidence WHERE finding_id = ?',
                    (int(flat['event.id']),)).fetchone()[0]
    if ev and (flat.get('maptrail.evidence_total') != ev or not flat.get('maptrail.evidence')):
        problems.append('line %d: evidence %r of %d calls' % (n, flat.get('maptrail.evidence_total'), ev))
    docs += 1
if docs != len(findings):
    problems.append('%d documents for %d findings' % (docs, len(findings)))
if problems:
    print('\n'.join('FAIL: ' + p for p in problems[:20]), file=sys.stderr)
    sys.exit(1)
print('ok: %d ECS documents, %d ECS fields (all in ECS %s\'s list, with its types), '
      'custom: %s' % (docs, len(used), next(iter(fields.values())) and
                      open(sys.argv[1]).readlines()[1].split(',')[0], ', '.join(sorted(custom))))
