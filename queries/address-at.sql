-- title: What was at an address in a process at a given time
-- severity: info
-- kind: lookup
-- params: pid: process id; addr: the address (0x... or decimal); ts: the time (trace clock
--   ns, trace-cmd's seconds 658.582899 or UTC ISO 8601; optional: the end of the capture)
-- types: pid integer required; addr integer required; ts time
-- means: one row: the range of the rebuilt address space (vma_history) that held the address
--   at that time, its protection, flags and file offset, since when and how it came to be
--   (change, cause: the call table and row), and what it was before (prior).  When no range
--   held it: state 'unmapped' with the call that removed the last one, or 'unknown' when the
--   capture never saw that address mapped (it may have been mapped before the capture began).
--   The file behind the range (vma_file): its path and how it is known ('recorder maps' /
--   'recorder fd': the recorder looked it up as the mmap happened; 'snapshot': the recorder's
--   copy of /proc/PID/maps; 'fd call': the path the opening call was given, fetched by a
--   kprobe; 'fd snapshot': the descriptor's name in a snapshot), the call that
--   opened it (opened_by, opened_by_id), whether it is a memfd or a deleted file, and the
--   world-writable or tmpfs place it is under.  NULL where the capture does not tell.
-- why: "what did this address hold when the crash / the suspicious call happened?" is the
--   first question about any pointer found in a report, a core dump or a register.
WITH q AS (
	SELECT :pid AS pid, :addr AS addr,
	       coalesce(:ts, (SELECT max(last_ts) FROM capture)) AS ts
), live AS (
	SELECT h.*, 'mapped' AS state FROM vma_history_file h, q
	 WHERE h.pid = q.pid AND h.start_addr <= q.addr AND h.end_addr > q.addr
	   AND h.ts_from <= q.ts AND (h.ts_to IS NULL OR h.ts_to > q.ts)
), before AS (
	SELECT h.*, 'unmapped' AS state FROM vma_history_file h, q
	 WHERE h.pid = q.pid AND h.start_addr <= q.addr AND h.end_addr > q.addr
	   AND h.ts_to <= q.ts AND NOT EXISTS (SELECT 1 FROM live)
	 ORDER BY h.ts_to DESC LIMIT 1
), found AS (
	SELECT * FROM live UNION ALL SELECT * FROM before
)
SELECT q.pid, q.addr, q.ts, f.state, f.start_addr, f.end_addr, f.prot,
       (SELECT rwx FROM prot_rwx WHERE prot = f.prot & 7) AS rwx, f.map_flags, f.fd, f.pgoff,
       f.change, f.cause, f.cause_id, f.ts_from AS since, f.ts_to AS until,
       f.end_cause, f.end_cause_id, f.prior_id, f.prior_prot, f.id AS history_id,
       f.path, f.path_source, f.opened_by, f.opened_by_id, f.memfd, f.deleted, f.place
  FROM q JOIN found f
UNION ALL
SELECT q.pid, q.addr, q.ts, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM q WHERE NOT EXISTS (SELECT 1 FROM live) AND NOT EXISTS (SELECT 1 FROM before);
