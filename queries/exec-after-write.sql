-- title: Writable memory made executable
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1620 Reflective Code Loading
-- means: an mprotect or pkey_mprotect made executable memory that the rebuilt address space
--   (vma_history) shows was writable and not executable just before: code was written, then
--   run.  Judged page range by page range: a call whose range spans several mappings lists
--   each part with the protection it had ("???" where the capture never saw it).
-- why: the W^X-respecting way to stage a payload (write it into RW memory, flip it to RX) is
--   what shellcode loaders, reflective DLL/ELF loaders and unpackers do.  JITs do it too:
--   look at who did it, how often and from which binary.
WITH part AS (
	SELECT capture_id, cause, cause_id, pid, start_addr, end_addr, prot, prior_prot,
	       coalesce((prior_prot & 2) != 0 AND (prior_prot & 4) = 0, 0) AS was_writable
	  FROM vma_history
	 WHERE change = 'protected' AND (prot & 4) != 0
), per_call AS (
	SELECT capture_id, cause, cause_id, pid, max(was_writable) AS any_writable,
	       group_concat(printf('0x%x-0x%x was %s', start_addr, end_addr,
	                           coalesce((SELECT rwx FROM prot_rwx WHERE prot = prior_prot & 7),
	                                    '??? (unknown before)')), ', ') AS parts
	  FROM part
	 GROUP BY capture_id, cause, cause_id
)
SELECT c.capture_id, 'high' AS severity, m.ts, c.pid, m.tid, m.comm, m.addr, m.len,
       printf('%s(0x%x, %d, %s): %s', c.cause, m.addr, m.len,
              (SELECT rwx FROM prot_rwx WHERE prot = m.prot & 7), c.parts) AS summary,
       json_array(json_array(c.cause, c.cause_id)) AS evidence
  FROM per_call AS c
  JOIN (SELECT 'mprotect' AS call, id, ts, tid, comm, addr, len, prot FROM mprotect
        UNION ALL
        SELECT 'pkey_mprotect', id, ts, tid, comm, start, len, prot FROM pkey_mprotect) AS m
    ON m.call = c.cause AND m.id = c.cause_id
 WHERE c.any_writable
 ORDER BY m.ts;
