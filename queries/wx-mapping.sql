-- title: Memory left writable and executable at once
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1620 Reflective Code Loading
-- means: a call left memory writable and executable, whatever the call: mmap or mmap2 mapped
--   it so, mprotect or pkey_mprotect made it so (from anything but already rwx), mremap moved
--   or grew such a range, remap_file_pages remapped one.  Anonymous memory (or memory whose
--   backing the capture never saw) is high severity; a private file mapping is medium (the
--   code came from a file, but can still be changed in place; shared ones are
--   shared-wx-file's).  One row per mapping the call left so; the findings group them by
--   process and kind ('mprotect --- -> rwx anonymous').
-- why: injected loaders and shellcode stagers get memory they can write code into and jump
--   to: an RWX mmap, or PROT_NONE/RW memory turned RWX with mprotect.  Legitimate programs
--   keep W^X (write, then mprotect to executable); old JITs are the usual exception, and are
--   worth knowing about too.
-- false positives: JITs that keep an rwx code space (node/V8 without W^X, older JVMs, LuaJIT
--   on some builds): one group per process and kind.  Stays quiet on an mprotect that keeps
--   rwx memory rwx (nothing changed), on failed calls (nothing mapped) and on memory that is
--   writable or executable but not both.
SELECT h.capture_id,
       CASE WHEN h.file_id IS NULL AND coalesce(h.map_flags & 0x20, 0x20) != 0 THEN 'high'
            ELSE 'medium' END AS severity,
       coalesce(a.ts, b.ts, c.ts, d.ts, e.ts, r.ts) AS ts, h.pid,
       coalesce(a.tid, b.tid, c.tid, d.tid, e.tid, r.tid) AS tid,
       coalesce(a.comm, b.comm, c.comm, d.comm, e.comm, r.comm) AS comm,
       h.start_addr AS addr, h.end_addr - h.start_addr AS len,
       h.cause || ' ' || coalesce((SELECT rwx FROM prot_rwx WHERE prot = h.prior_prot & 7),
                                  CASE h.change WHEN 'mapped' THEN 'new' ELSE 'unknown' END) ||
         ' -> ' || (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7) || ' ' ||
         CASE WHEN h.file_id IS NOT NULL THEN coalesce(f.path, 'an unnamed file')
              WHEN h.map_flags IS NULL THEN 'backing unknown'
              WHEN h.map_flags & 0x20 THEN 'anonymous' ELSE 'a file' END AS kind,
       printf('%s %s 0x%x-0x%x %s (%s%s)', h.cause,
              CASE h.change WHEN 'mapped' THEN 'mapped' WHEN 'protected' THEN 'made'
                            WHEN 'moved' THEN 'moved to' ELSE 'remapped' END,
              h.start_addr, h.end_addr, (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7),
              CASE WHEN h.file_id IS NOT NULL THEN coalesce(f.path, 'an unnamed file')
                   WHEN h.map_flags IS NULL THEN 'backing unknown'
                   WHEN h.map_flags & 0x20 THEN 'anonymous'
                   ELSE printf('fd %d', h.fd) END,
              CASE WHEN h.change = 'mapped' THEN ''
                   ELSE ', was ' || coalesce((SELECT rwx FROM prot_rwx
                                              WHERE prot = h.prior_prot & 7), 'unknown') END)
         AS summary,
       h.cause AS call, h.cause_id AS call_id, NULL AS evidence
  FROM vma_history AS h
  LEFT JOIN vma_file AS f ON f.id = h.file_id
  LEFT JOIN mmap AS a ON h.cause = 'mmap' AND a.id = h.cause_id
  LEFT JOIN mmap2 AS b ON h.cause = 'mmap2' AND b.id = h.cause_id
  LEFT JOIN mprotect AS c ON h.cause = 'mprotect' AND c.id = h.cause_id
  LEFT JOIN pkey_mprotect AS d ON h.cause = 'pkey_mprotect' AND d.id = h.cause_id
  LEFT JOIN mremap AS e ON h.cause = 'mremap' AND e.id = h.cause_id
  LEFT JOIN remap_file_pages AS r ON h.cause = 'remap_file_pages' AND r.id = h.cause_id
 WHERE (h.prot & 6) = 6
   AND (h.change IN ('mapped', 'moved', 'remapped')
        OR (h.change = 'protected' AND coalesce((h.prior_prot & 6) != 6, 1)))
   AND (h.map_flags IS NULL OR (h.map_flags & 1) = 0 OR h.file_id IS NULL);
