-- title: Memory made executable (not known to have been writable)
-- severity: medium
-- kind: detection
-- mitre: T1055 Process Injection
-- means: an mprotect or pkey_mprotect made executable memory that was not executable before:
--   medium when the capture never saw what the memory held before ("prior unknown": it may
--   have been written as well), low when the rebuilt address space shows it was neither
--   writable nor executable (e.g. PROT_NONE or read-only reserved memory turned into code).
--   Memory known to have been writable is the high-severity exec-after-write instead, and
--   anonymous memory left writable and executable is wx-mapping's (high).  One row per
--   mapping the call changed so; the findings group them by process and kind.
-- why: code appearing where there was none.  With the prior state unknown this is as far as
--   the capture can see: look at what the process did before the capture began.
-- false positives: the dynamic loader and JITs reserving PROT_NONE then committing code
--   (low); libraries mapped before the capture began that are mprotected back to r-x after
--   relocation (RELRO-like dances: medium, "unknown before").  Stays quiet on memory already
--   executable, on writable memory (exec-after-write) and on anonymous rwx (wx-mapping).
SELECT h.capture_id, CASE WHEN h.prior_id IS NULL OR h.prior_prot IS NULL THEN 'medium'
                          ELSE 'low' END AS severity,
       coalesce(a.ts, b.ts) AS ts, h.pid, coalesce(a.tid, b.tid) AS tid,
       coalesce(a.comm, b.comm) AS comm, coalesce(a.addr, b.start) AS addr,
       coalesce(a.len, b.len) AS len,
       coalesce((SELECT rwx FROM prot_rwx WHERE prot = h.prior_prot & 7), 'unknown') || ' -> ' ||
         (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7) || ' ' ||
         CASE WHEN h.file_id IS NULL THEN 'anonymous' ELSE coalesce(f.path, 'an unnamed file') END
         AS kind,
       printf('%s(0x%x, %d, %s): 0x%x-0x%x was %s', h.cause, coalesce(a.addr, b.start),
              coalesce(a.len, b.len), (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7),
              h.start_addr, h.end_addr,
              coalesce((SELECT rwx FROM prot_rwx WHERE prot = h.prior_prot & 7),
                       'unknown (before the capture)')) AS summary,
       h.cause AS call, h.cause_id AS call_id, NULL AS evidence
  FROM vma_history AS h
  LEFT JOIN vma_file AS f ON f.id = h.file_id
  LEFT JOIN mprotect AS a ON h.cause = 'mprotect' AND a.id = h.cause_id
  LEFT JOIN pkey_mprotect AS b ON h.cause = 'pkey_mprotect' AND b.id = h.cause_id
 WHERE h.change = 'protected' AND (h.prot & 4) != 0
   AND (h.prior_prot IS NULL OR (h.prior_prot & 6) = 0)
   AND NOT ((h.prot & 2) != 0 AND h.file_id IS NULL AND coalesce(h.map_flags & 0x20, 0x20) != 0);
