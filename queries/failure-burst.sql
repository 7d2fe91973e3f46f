-- title: Burst of failing memory calls (address-space probing)
-- severity: medium
-- kind: detection
-- mitre: T1057 Process Discovery
-- means: one process made 10 or more memory calls that failed with EFAULT, EINVAL, ENOMEM or
--   EACCES, each within 100 ms of the one before: one row per burst, with the count per errno.
--   High from 100 failures.
-- why: probing which addresses are mapped (ENOMEM from mprotect/munmap on holes), brute-forcing
--   a layout past ASLR, or an exploit retrying: well-behaved programs rarely fail a memory
--   call, and almost never in bursts.  A burst is already a group: its kind is NULL, so each
--   burst is a finding of its own, with every failing call as evidence.
-- false positives: allocators probing for huge pages or a fixed address (a few failures, not
--   10 in 100 ms), sandboxes (seccomp returning EACCES) and programs under memory cgroup
--   pressure (ENOMEM storms): look at the errnos.  Stays quiet on fewer than 10 failures, on
--   failures more than 100 ms apart, and on errnos other than EFAULT, EINVAL, ENOMEM, EACCES.
WITH threads AS (
	-- only the threads of processes with 10 failures at all; the call tables have no
	-- index on tid, so each is read whole, and only when such a process exists (the
	-- EXISTS below is checked once, before the table is)
	SELECT t.pid AS tid FROM task t JOIN process p
	    ON p.capture_id = t.capture_id AND p.pid = coalesce(t.tgid, t.pid)
	 WHERE p.failures >= 10
), fail AS (
	SELECT 'mmap' AS call, id, capture_id, ts, coalesce(pid, tid) AS pid, tid, comm,
	       addr, errno
	  FROM mmap WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'mmap2', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, errno
	  FROM mmap2 WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, errno
	  FROM mprotect WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'pkey_mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm, start, errno
	  FROM pkey_mprotect WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'munmap', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, errno
	  FROM munmap WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'mremap', id, capture_id, ts, coalesce(pid, tid), tid, comm, old_address, errno
	  FROM mremap WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'remap_file_pages', id, capture_id, ts, coalesce(pid, tid), tid, comm, addr, errno
	  FROM remap_file_pages WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
	UNION ALL
	SELECT 'brk', id, capture_id, ts, coalesce(pid, tid), tid, comm, brk, errno
	  FROM brk WHERE EXISTS (SELECT 1 FROM threads)
	   AND tid IN (SELECT tid FROM threads) AND errno IN (12, 13, 14, 22)
), gap AS (
	SELECT *, CASE WHEN ts - lag(ts) OVER w <= 100000000 THEN 0 ELSE 1 END AS starts
	  FROM fail WINDOW w AS (PARTITION BY capture_id, pid ORDER BY ts)
), burst AS (
	-- which burst each failure is in, and the thread of the burst's first failure: window
	-- functions, so that no step reads the failures again per burst (linear whatever the
	-- number of bursts)
	SELECT *, first_value(tid) OVER (PARTITION BY capture_id, pid, burst ORDER BY ts)
	         AS first_tid
	  FROM (SELECT *, sum(starts) OVER (PARTITION BY capture_id, pid ORDER BY ts
	                                    ROWS UNBOUNDED PRECEDING) AS burst
	          FROM gap)
), per_errno AS (
	SELECT capture_id, pid, burst, errno, count(*) AS n, min(ts) AS ts, max(ts) AS last_ts,
	       max(first_tid) AS tid, max(comm) AS comm,
	       group_concat(json_array(call, id)) AS calls
	  FROM burst
	 GROUP BY capture_id, pid, burst, errno
)
-- a burst from its errnos' rows: a second grouping, not a join back to the failures
SELECT e.capture_id, CASE WHEN sum(e.n) >= 100 THEN 'high' ELSE 'medium' END AS severity,
       min(e.ts) AS ts, e.pid, max(e.tid) AS tid, max(e.comm) AS comm, NULL AS addr,
       NULL AS len, NULL AS kind,
       printf('%d failing calls in %.3f s (%s)', sum(e.n), (max(e.last_ts) - min(e.ts)) / 1e9,
              group_concat(printf('%d %s', e.n, coalesce(s.name, e.errno)), ', ')) AS summary,
       NULL AS call, NULL AS call_id, '[' || group_concat(e.calls) || ']' AS evidence
  FROM per_errno AS e
  LEFT JOIN schema_errno AS s ON s.number = e.errno
 GROUP BY e.capture_id, e.pid, e.burst
HAVING sum(e.n) >= 10
 ORDER BY ts;
