-- title: Executable memory made writable (code patching)
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1574 Hijack Execution Flow
-- means: an mprotect or pkey_mprotect added write permission to memory that the rebuilt
--   address space shows was executable and not writable just before.  High when it stays
--   executable (r-x -> rwx: code changed while it can run), medium when execute is dropped
--   (r-x -> rw-: the usual first step of a patch, whose second step, back to executable, is an
--   exec-after-write finding).  One row per mapping the call changed so; the findings group
--   them by process and kind ('r-x -> rwx anonymous', or the file).
-- why: inline hooks, trampolines and in-memory patches of a program's own or a library's
--   code start this way.  Text relocations (rare, old non-PIC code) and JITs are the
--   legitimate reasons.
-- false positives: an mprotect(PROT_READ|PROT_WRITE|PROT_EXEC) on memory that is already
--   rwx (node/V8 does it on its code space) changes nothing and stays quiet, as does making
--   executable memory read-only or executable again (no write added).
SELECT h.capture_id, CASE WHEN (h.prot & 4) != 0 THEN 'high' ELSE 'medium' END AS severity,
       coalesce(a.ts, b.ts) AS ts, h.pid, coalesce(a.tid, b.tid) AS tid,
       coalesce(a.comm, b.comm) AS comm, coalesce(a.addr, b.start) AS addr,
       coalesce(a.len, b.len) AS len,
       (SELECT rwx FROM prot_rwx WHERE prot = h.prior_prot & 7) || ' -> ' ||
         (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7) || ' ' ||
         CASE WHEN h.file_id IS NULL THEN 'anonymous' ELSE coalesce(f.path, 'an unnamed file') END
         AS kind,
       printf('%s(0x%x, %d, %s): 0x%x-0x%x was %s', h.cause, coalesce(a.addr, b.start),
              coalesce(a.len, b.len), (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7),
              h.start_addr, h.end_addr, (SELECT rwx FROM prot_rwx WHERE prot = h.prior_prot & 7))
         AS summary,
       h.cause AS call, h.cause_id AS call_id, NULL AS evidence
  FROM vma_history AS h
  LEFT JOIN vma_file AS f ON f.id = h.file_id
  LEFT JOIN mprotect AS a ON h.cause = 'mprotect' AND a.id = h.cause_id
  LEFT JOIN pkey_mprotect AS b ON h.cause = 'pkey_mprotect' AND b.id = h.cause_id
 WHERE h.change = 'protected' AND (h.prior_prot & 4) != 0
   AND (h.prot & 2) != 0 AND (h.prior_prot & 2) = 0;
