-- title: Burst of failing memory calls (address-space probing)
-- severity: medium
-- kind: detection
-- mitre: T1057 Process Discovery
-- means: one process made 10 or more memory calls that failed with EFAULT, EINVAL, ENOMEM or
--   EACCES, each within 100 ms of the one before: one row per burst, with the count per errno.
--   High from 100 failures.
-- why: probing which addresses are mapped (ENOMEM from mprotect/munmap on holes), brute-forcing
--   a layout past ASLR, or an exploit retrying: well-behaved programs rarely fail a memory
--   call, and almost never in bursts.
WITH fail AS (
	SELECT call, id, capture_id, ts, coalesce(pid, tid) AS pid, tid, comm, addr, errno
	  FROM memory_call
	 WHERE errno IN (12, 13, 14, 22)
), gap AS (
	SELECT *, CASE WHEN ts - lag(ts) OVER w <= 100000000 THEN 0 ELSE 1 END AS starts
	  FROM fail WINDOW w AS (PARTITION BY capture_id, pid ORDER BY ts)
), burst AS (
	SELECT *, sum(starts) OVER (PARTITION BY capture_id, pid ORDER BY ts
	                            ROWS UNBOUNDED PRECEDING) AS burst
	  FROM gap
), per_errno AS (
	SELECT capture_id, pid, burst, errno, count(*) AS n FROM burst
	 GROUP BY capture_id, pid, burst, errno
)
SELECT b.capture_id, CASE WHEN count(*) >= 100 THEN 'high' ELSE 'medium' END AS severity,
       min(b.ts) AS ts, b.pid, (SELECT tid FROM burst f WHERE f.capture_id = b.capture_id
                                AND f.pid = b.pid AND f.burst = b.burst ORDER BY ts LIMIT 1) AS tid,
       max(b.comm) AS comm, NULL AS addr, NULL AS len,
       printf('%d failing calls in %.3f s (%s)', count(*), (max(b.ts) - min(b.ts)) / 1e9,
              (SELECT group_concat(printf('%d %s', e.n, coalesce(s.name, e.errno)), ', ')
                 FROM per_errno e LEFT JOIN schema_errno s ON s.number = e.errno
                WHERE e.capture_id = b.capture_id AND e.pid = b.pid AND e.burst = b.burst))
         AS summary,
       json_group_array(json_array(b.call, b.id)) AS evidence
  FROM burst AS b
 GROUP BY b.capture_id, b.pid, b.burst
HAVING count(*) >= 10
 ORDER BY ts;
