-- title: A process's memory calls, in order
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process)
-- means: every memory call of the process (all its threads), in time order: the call, the
--   thread, the range, the protection (rwx) and flags, and the result (errno name when it
--   failed), with the time since the process's first call.
-- why: the narrative of what a process did to its address space, to read next to its
--   findings.
SELECT c.ts, c.ts - min(c.ts) OVER (PARTITION BY c.capture_id, coalesce(c.pid, c.tid))
         AS since_first_ns,
       coalesce(c.pid, c.tid) AS pid, c.tid, c.comm, c.call, c.addr, c.len,
       (SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7) AS rwx, c.flags,
       CASE WHEN c.errno IS NOT NULL THEN (SELECT name FROM schema_errno WHERE number = c.errno)
            WHEN c.ret IS NOT NULL THEN printf('0x%x', c.ret) END AS result,
       c.id AS call_id
  FROM memory_call AS c
 WHERE :pid IS NULL OR coalesce(c.pid, c.tid) = :pid
 ORDER BY c.capture_id, c.ts, c.tid;
