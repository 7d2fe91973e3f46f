-- title: Writable memory made executable
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1620 Reflective Code Loading
-- means: an mprotect or pkey_mprotect made executable memory that the rebuilt address space
--   (vma_history) shows was writable and not executable just before: code was written, then
--   run.  One row per mapping the call changed so (a call whose range spans several mappings
--   gives one row for each writable part); the findings group them by process and kind
--   ('rw- -> r-x anonymous', or the file), with every call as evidence.
-- why: the W^X-respecting way to stage a payload (write it into RW memory, flip it to RX) is
--   what shellcode loaders, reflective DLL/ELF loaders and unpackers do.  JITs do it too:
--   look at who did it, how often and from which binary.
-- false positives: JIT compilers (LuaJIT, V8, the JVM, .NET, PCRE2's JIT) flip their code
--   pages this way all the time: one group per process and kind, with the count.  Stays quiet
--   on memory that was not writable (made-executable), on a prior state the capture never saw
--   (made-executable, medium) and on memory already executable (nothing newly executable).
SELECT h.capture_id, 'high' AS severity, coalesce(a.ts, b.ts) AS ts, h.pid,
       coalesce(a.tid, b.tid) AS tid, coalesce(a.comm, b.comm) AS comm,
       coalesce(a.addr, b.start) AS addr, coalesce(a.len, b.len) AS len,
       was.rwx || ' -> ' || now.rwx || ' ' ||
         CASE WHEN h.file_id IS NULL THEN 'anonymous' ELSE coalesce(f.path, 'an unnamed file') END
         AS kind,
       printf('%s(0x%x, %d, %s): 0x%x-0x%x was %s', h.cause, coalesce(a.addr, b.start),
              coalesce(a.len, b.len), now.rwx,
              h.start_addr, h.end_addr, was.rwx)
         AS summary,
       h.cause AS call, h.cause_id AS call_id, NULL AS evidence
  FROM vma_history AS h
  JOIN prot_rwx AS was ON was.prot = h.prior_prot & 7
  JOIN prot_rwx AS now ON now.prot = h.prot & 7
  LEFT JOIN vma_file AS f ON f.id = h.file_id
  LEFT JOIN mprotect AS a ON h.cause = 'mprotect' AND a.id = h.cause_id
  LEFT JOIN pkey_mprotect AS b ON h.cause = 'pkey_mprotect' AND b.id = h.cause_id
 WHERE h.change = 'protected' AND (h.prot & 4) != 0
   AND (h.prior_prot & 2) != 0 AND (h.prior_prot & 4) = 0;
