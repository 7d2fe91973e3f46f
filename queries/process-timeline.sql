-- title: A process's memory calls, in order
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process); from_ts: the first time to show
--   (ns, seconds or UTC as ts of address-at; optional: the beginning); limit: how many calls (optional: 1000)
-- types: pid integer; from_ts time; limit integer
-- means: the memory calls of the process (all its threads), in time order, from from_ts on,
--   limit of them: the call, the thread, the range, the protection (rwx) and flags, the
--   result (errno name when it failed), and the time since the process's first call.  Page
--   on with from_ts = the last ts shown.
-- why: the narrative of what a process did to its address space, to read next to its
--   findings.
WITH c AS (
	SELECT 'mmap' AS call, id, capture_id, ts, coalesce(pid, tid) AS pid, tid, comm, addr,
	       len, prot, flags, ret, errno FROM mmap
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'mmap2', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, length, prot,
	       flags, ret, errno FROM mmap2
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, len, prot,
	       NULL, ret, errno FROM mprotect
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'pkey_mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm, start, len,
	       prot, NULL, ret, errno FROM pkey_mprotect
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'munmap', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, len, NULL,
	       NULL, ret, errno FROM munmap
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'mremap', id, capture_id, ts, coalesce(pid, tid), tid, comm, old_address,
	       old_size, NULL, flags, ret, errno FROM mremap
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'remap_file_pages', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr,
	       size, prot, flags, ret, errno FROM remap_file_pages
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	UNION ALL
	SELECT 'brk', id, capture_id, ts, coalesce(pid, tid), tid, comm, brk, NULL, NULL, NULL,
	       ret, errno FROM brk
	 WHERE (:pid IS NULL OR coalesce(pid, tid) = :pid) AND ts >= coalesce(:from_ts, 0)
	 -- each call table is read once (it has no index on ts); SQLite keeps the first
	 -- rows by time as they pass (a sort of at most limit rows)
	 ORDER BY ts LIMIT coalesce(:limit, 1000)
)
SELECT c.ts, c.ts - (SELECT first_ts FROM process p WHERE p.capture_id = c.capture_id
                     AND p.pid = c.pid) AS since_first_ns,
       c.pid, c.tid, c.comm, c.call, c.addr, c.len,
       (SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7) AS rwx, c.flags,
       CASE WHEN c.errno IS NOT NULL THEN (SELECT name FROM schema_errno WHERE number = c.errno)
            WHEN c.ret IS NOT NULL THEN printf('0x%x', c.ret) END AS result,
       c.id AS call_id
  FROM c
 ORDER BY c.ts;
