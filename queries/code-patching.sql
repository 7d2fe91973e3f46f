-- title: Executable memory made writable (code patching)
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1574 Hijack Execution Flow
-- means: an mprotect or pkey_mprotect made writable memory that the rebuilt address space
--   shows was executable just before.  High when it stays executable (rwx: code changed
--   while it can run), medium when execute is dropped (the usual first step of a patch,
--   whose second step, back to executable, is an exec-after-write finding).
-- why: inline hooks, trampolines and in-memory patches of a program's own or a library's
--   code start this way.  Text relocations (rare, old non-PIC code) and JITs are the
--   legitimate reasons.
WITH part AS (
	SELECT capture_id, cause, cause_id, pid, start_addr, end_addr, prot, prior_prot
	  FROM vma_history
	 WHERE change = 'protected' AND (prot & 2) != 0 AND (prior_prot & 4) != 0
), per_call AS (
	SELECT capture_id, cause, cause_id, pid, max((prot & 4) != 0) AS stays_executable,
	       group_concat(printf('0x%x-0x%x was %s', start_addr, end_addr,
	                           (SELECT rwx FROM prot_rwx WHERE prot = prior_prot & 7)),
	                    ', ') AS parts
	  FROM part
	 GROUP BY capture_id, cause, cause_id
)
SELECT c.capture_id, CASE WHEN c.stays_executable THEN 'high' ELSE 'medium' END AS severity,
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
