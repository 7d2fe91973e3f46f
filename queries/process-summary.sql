-- title: Memory calls per process
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process)
-- types: pid integer
-- means: one row per process (the thread when the capture does not show the process): its
--   memory-mapping calls and how many of each call, how many failed, the bytes it mapped
--   (mmap, mmap2) and the bytes it mapped or made executable (mmap, mmap2, mprotect,
--   pkey_mprotect with PROT_EXEC), its findings, and when it made its first and last call;
--   who it is (process_context): its parent, executable, command line and user, and where
--   that came from ('snapshot': the recorder read /proc; 'exec': the exec event; 'task':
--   only its name).  NULL where the capture does not tell (no snapshot, no exec seen).
-- why: where to start: which processes touched their address space, how much, and which ones
--   failed often or made memory executable at all.
SELECT p.capture_id, p.pid, coalesce(p.comm, c.comm) AS comm, p.calls, p.failures,
       p.bytes_mapped, p.exec_bytes,
       (SELECT count(*) FROM findings f
         WHERE f.capture_id = p.capture_id AND f.pid = p.pid) AS findings,
       p.first_ts, p.last_ts, p.calls_by_table, c.ppid, c.exe, c.cmdline, c.uid,
       c.source AS identity
  FROM process AS p
  LEFT JOIN process_context AS c ON c.capture_id = p.capture_id AND c.pid = p.pid
 WHERE :pid IS NULL OR p.pid = :pid
 ORDER BY p.capture_id, p.calls DESC, p.pid;
