-- title: Memory made executable (not known to have been writable)
-- severity: medium
-- kind: detection
-- mitre: T1055 Process Injection
-- means: an mprotect or pkey_mprotect made executable memory that was not executable before:
--   medium when the capture never saw what the memory held before ("prior unknown": it may
--   have been written as well), low when the rebuilt address space shows it was neither
--   writable nor executable (e.g. PROT_NONE or read-only reserved memory turned into code).
--   Memory known to have been writable is the high-severity exec-after-write instead.
-- why: code appearing where there was none.  With the prior state unknown this is as far as
--   the capture can see: look at what the process did before the capture began.
WITH part AS (
	SELECT capture_id, cause, cause_id, pid, start_addr, end_addr, prior_prot,
	       prior_id IS NULL OR prior_prot IS NULL AS unknown_before
	  FROM vma_history
	 WHERE change = 'protected' AND (prot & 4) != 0
	   AND (prior_prot IS NULL OR (prior_prot & 6) = 0)
), per_call AS (
	SELECT capture_id, cause, cause_id, pid, max(unknown_before) AS any_unknown,
	       group_concat(printf('0x%x-0x%x was %s', start_addr, end_addr,
	                           coalesce((SELECT rwx FROM prot_rwx WHERE prot = prior_prot & 7),
	                                    'unknown (before the capture)')), ', ') AS parts
	  FROM part
	 GROUP BY capture_id, cause, cause_id
)
SELECT c.capture_id, CASE WHEN c.any_unknown THEN 'medium' ELSE 'low' END AS severity,
       m.ts, c.pid, m.tid, m.comm, m.addr, m.len,
       printf('%s(0x%x, %d, %s): %s', c.cause, m.addr, m.len,
              (SELECT rwx FROM prot_rwx WHERE prot = m.prot & 7), c.parts) AS summary,
       json_array(json_array(c.cause, c.cause_id)) AS evidence
  FROM per_call AS c
  JOIN (SELECT 'mprotect' AS call, id, ts, tid, comm, addr, len, prot FROM mprotect
        UNION ALL
        SELECT 'pkey_mprotect', id, ts, tid, comm, start, len, prot FROM pkey_mprotect) AS m
    ON m.call = c.cause AND m.id = c.cause_id
 ORDER BY m.ts;
