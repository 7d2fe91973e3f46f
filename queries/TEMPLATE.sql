-- title: One line a person reads in `maptrail query --list` (this file is a template)
-- severity: low
-- kind: detection
-- mitre: the ATT&CK technique where one applies (T1055 Process Injection), else drop the line
-- params: pid: process id (optional: every process)
-- means: what one row is, in a sentence or two: which call, which arguments, why it counts.
--   A continuation line starts with "--" and at least two spaces.
-- why: why an analyst wants to know; what is benign that looks the same.
--
-- How to add a question: copy this file to queries/NAME.sql (NAME in lower case, it is the
-- name `maptrail query DB NAME` takes), write the header above and the statement below, and
-- add the file to query_files in queries/meson.build (it is compiled into the binary).  The
-- header ends at the first line that is not a "--" comment (queries/catalog.h).
--
-- kind: detection, summary or lookup.  Every detection runs during `maptrail analyze` and
-- its rows become findings, so it returns exactly these columns in this order
-- (analyze/findings.c checks them): capture_id, severity (high, medium, low or info), ts,
-- pid, tid, comm, addr, len, summary (one line), evidence (a JSON array of [call table, id]).
-- A summary or a lookup returns whatever columns answer it.  Parameters are named
-- (:pid), NULL when not given: say so in "params" and let NULL mean "every".
--
-- Read the call tables (mmap, mprotect, ...: one row per call, README "The database"), their
-- *_decoded views for flag names, vma_history for the address space over time.  This example
-- runs as it is (tests/e2e/query.sh checks that): mprotect calls the kernel refused with
-- EACCES, as a detection would list them.
SELECT c.capture_id, 'low' AS severity, c.ts, coalesce(c.pid, c.tid) AS pid, c.tid, c.comm,
       c.addr, c.len,
       printf('mprotect of %d bytes at 0x%x refused (EACCES)', c.len, c.addr) AS summary,
       json_array(json_array('mprotect', c.id)) AS evidence
  FROM mprotect AS c
 WHERE c.errno = 13 AND (:pid IS NULL OR coalesce(c.pid, c.tid) = :pid)
 ORDER BY c.ts;
