-- title: remap_file_pages used
-- severity: medium
-- kind: detection
-- means: a call of remap_file_pages, successful or not.  Since Linux 3.16 the kernel only
--   emulates it (it creates a new mapping of the file at the old address); the arguments say
--   which pages of the shared file mapping now appear where.
-- why: deprecated and very rare in legitimate code, it rearranges what a shared file
--   mapping shows without an mmap or a write: worth a look every time it appears.
-- false positives: very old database engines and emulators that still use it for windowed
--   access to a large shared file.  There is no quiet shape: any call is reported (the
--   findings group them by process).
SELECT r.capture_id, 'medium' AS severity, r.ts, coalesce(r.pid, r.tid) AS pid, r.tid, r.comm,
       r.addr, r.size AS len,
       CASE WHEN r.errno IS NULL AND r.ret IS NOT NULL THEN 'remap_file_pages'
            ELSE 'remap_file_pages failed' END AS kind,
       printf('remap_file_pages(0x%x, %d, prot %d, pgoff %d, flags 0x%x) = %s', r.addr, r.size,
              r.prot, r.pgoff, r.flags,
              CASE WHEN r.ret IS NULL THEN 'no return seen'
                   WHEN r.errno IS NOT NULL THEN coalesce((SELECT name FROM schema_errno
                                                           WHERE number = r.errno), r.ret)
                   ELSE r.ret END) AS summary,
       'remap_file_pages' AS call, r.id AS call_id, NULL AS evidence
  FROM remap_file_pages AS r
 ORDER BY r.ts;
