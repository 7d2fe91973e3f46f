-- title: One line a person reads in `maptrail query --list` (this file is a template)
-- severity: low
-- kind: detection
-- mitre: the ATT&CK technique where one applies (T1055 Process Injection), else drop the line
-- params: pid: process id (optional: every process)
-- means: what one row is, in a sentence or two: which call, which arguments, why it counts.
--   A continuation line starts with "--" and at least two spaces.
-- why: why an analyst wants to know.
-- false positives: (detections) the benign programs and shapes that look the same, and
--   which of them the statement leaves out.
--
-- How to add a question: copy this file to queries/NAME.sql (NAME in lower case, it is the
-- name `maptrail query DB NAME` takes), write the header above and the statement below, and
-- add the file to query_files in queries/meson.build (it is compiled into the binary).  The
-- header ends at the first line that is not a "--" comment (queries/catalog.h).
--
-- kind: detection, summary or lookup.  Every detection runs during `maptrail analyze` and
-- its rows become findings, so it returns exactly these columns in this order
-- (analyze/findings.c checks them): capture_id, severity (high, medium, low or info), ts,
-- pid, tid, comm, addr, len, kind, summary (one line), call and call_id (the call table and
-- row the row is about; NULL when it rests on no call, e.g. a snapshot), evidence (a JSON
-- array of further [call table, id] pairs, or NULL).  Return one row per call: the rows of a
-- detection with the same capture, pid, kind and severity become one finding, described by
-- the earliest row, counting its calls, distinct (addr, len) ranges and their bytes, with
-- every call in finding_evidence.  kind says what the calls did alike, in words
-- ('rw- -> r-x anonymous'); a NULL kind makes the row a finding of its own.  Rows need not
-- be ordered (findings are numbered by time), and an ORDER BY makes SQLite compute every
-- row's summary before the first row comes out: leave it out of a detection that may
-- return many rows, since analyze computes the summary only for the row that describes its
-- finding.  A detection's header also says, under "false positives", the benign shapes that
-- look the same, and tests/test-findings.c checks it stays quiet on them.
-- A summary or a lookup returns whatever columns answer it.  Parameters are named
-- (:pid), NULL when not given: say so in "params" and let NULL mean "every".
--
-- Read the call tables (mmap, mprotect, ...: one row per call, README "The database"), their
-- *_decoded views for flag names, vma_history for the address space over time, prot_rwx for
-- a protection as 'r-x'.  This example runs as it is (tests/e2e/query.sh checks that):
-- mprotect calls the kernel refused with EACCES, as a detection would list them.
SELECT c.capture_id, 'low' AS severity, c.ts, coalesce(c.pid, c.tid) AS pid, c.tid, c.comm,
       c.addr, c.len,
       'mprotect to ' || coalesce((SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7), '?') ||
         ' refused' AS kind,
       printf('mprotect of %d bytes at 0x%x refused (EACCES)', c.len, c.addr) AS summary,
       'mprotect' AS call, c.id AS call_id, NULL AS evidence
  FROM mprotect AS c
 WHERE c.errno = 13 AND (:pid IS NULL OR coalesce(c.pid, c.tid) = :pid)
 ORDER BY c.ts;
