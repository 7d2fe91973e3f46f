-- title: Memory calls per process
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process)
-- means: one row per process (the thread when the capture does not show the process): its
--   memory-mapping calls, how many failed, the bytes it mapped (mmap, mmap2) and the bytes it
--   mapped or made executable (mmap, mmap2, mprotect, pkey_mprotect with PROT_EXEC), and when
--   it made its first and last call.
-- why: where to start: which processes touched their address space, how much, and which ones
--   failed often or made memory executable at all.
SELECT capture_id,
       coalesce(pid, tid) AS pid,
       group_concat(DISTINCT comm) AS comm,
       count(*) AS calls,
       count(errno) AS failures,
       sum(CASE WHEN call IN ('mmap', 'mmap2') AND errno IS NULL THEN len ELSE 0 END)
         AS bytes_mapped,
       sum(CASE WHEN call IN ('mmap', 'mmap2', 'mprotect', 'pkey_mprotect') AND errno IS NULL
                     AND prot & 4 THEN len ELSE 0 END) AS exec_bytes,
       min(ts) AS first_ts,
       max(ts) AS last_ts
  FROM memory_call
 WHERE :pid IS NULL OR coalesce(pid, tid) = :pid
 GROUP BY capture_id, coalesce(pid, tid)
 ORDER BY capture_id, calls DESC, pid;
