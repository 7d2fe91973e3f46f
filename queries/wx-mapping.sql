-- title: Memory mapped writable and executable at once
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1620 Reflective Code Loading
-- means: a successful mmap or mmap2 asked for PROT_WRITE and PROT_EXEC together: the process
--   got memory it can write code into and run.  Anonymous memory is high severity; a file
--   mapping is medium (the code came from a file, but can still be changed in place).
-- why: injected loaders and shellcode stagers allocate RWX memory to copy a payload into and
--   jump to it.  Legitimate programs keep W^X (write, then mprotect to executable); old JITs
--   are the usual exception, and are worth knowing about too.
SELECT m.capture_id,
       CASE WHEN m.flags & 0x20 THEN 'high' ELSE 'medium' END AS severity,
       m.ts, coalesce(m.pid, m.tid) AS pid, m.tid, m.comm, m.ret AS addr, m.len,
       printf('%s mapped %d bytes %s at 0x%x (%s)', m.call, m.len,
              (SELECT rwx FROM prot_rwx WHERE prot = m.prot & 7), m.ret,
              CASE WHEN m.flags & 0x20 THEN 'anonymous' ELSE printf('fd %d', m.fd) END) AS summary,
       json_array(json_array(m.call, m.id)) AS evidence
  FROM (SELECT 'mmap' AS call, id, capture_id, ts, pid, tid, comm, len, prot, flags, fd, ret, errno
          FROM mmap
        UNION ALL
        SELECT 'mmap2', id, capture_id, ts, pid, tid, comm, length, prot, flags, fd, ret, errno
          FROM mmap2) AS m
 WHERE (m.prot & 6) = 6 AND m.ret IS NOT NULL AND m.errno IS NULL
 ORDER BY m.ts;
