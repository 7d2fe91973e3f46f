-- title: A program executed from a memfd or a deleted file
-- severity: high
-- kind: detection
-- mitre: T1620 Reflective Code Loading; T1027.011 Fileless Storage
-- means: execveat() (fexecve() is execveat(fd, "", ..., AT_EMPTY_PATH)) was called on a
--   descriptor that is a memfd (made by memfd_create, or named /memfd: by a snapshot) or a
--   deleted file (high); or a process's executable, as the recorder read /proc/PID/exe, is a
--   memfd (medium: it ran so before the recording, and the capture does not say who started
--   it; container runtimes run themselves from a sealed memfd) or a deleted file (low: an
--   upgraded package leaves those too).
-- why: running a program that exists nowhere on disk is what fileless droppers do
--   (memfd_create + write + fexecve); real software has no reason to.
-- false positives: runc and other container runtimes re-execute themselves from a sealed
--   memfd (medium, seen by a snapshot); upgraded packages leave deleted executables running
--   (low).  Stays quiet on execveat of ordinary files.
WITH ex AS (
	SELECT e.capture_id, e.id, e.ts, coalesce(e.pid, e.tid) AS pid, e.tid, e.comm, e.fd,
	       e.flags, e.ret, e.errno, f.id AS fd_id, f.cause AS made_by, f.cause_id AS made_id,
	       coalesce(f.path, (SELECT v.path FROM vma_file v WHERE v.opened_id = f.opened_id
	                          AND v.path IS NOT NULL LIMIT 1)) AS path,
	       (f.kind IS 'memfd' OR f.path LIKE '/memfd:%' OR EXISTS (SELECT 1 FROM vma_file v
	         WHERE v.opened_id = f.opened_id AND v.memfd = 1)) AS memfd
	  FROM execveat AS e
	  JOIN fd_history AS f ON f.capture_id = e.capture_id AND f.pid = coalesce(e.pid, e.tid)
	   AND f.fd = e.fd AND f.ts_from <= e.ts AND (f.ts_to IS NULL OR f.ts_to >= e.ts)
	 WHERE e.errno IS NULL
)
SELECT capture_id, 'high' AS severity, ts, pid, tid, comm, NULL AS addr, NULL AS len,
       'execveat of ' || coalesce(path, CASE WHEN memfd THEN 'a memfd' ELSE 'a deleted file' END)
         AS kind,
       printf('execveat(%d, ..., 0x%x) of %s (fd made by %s #%d) in pid %d%s', fd, flags,
              coalesce(path, CASE WHEN memfd THEN 'a memfd' ELSE 'a deleted file' END),
              made_by, made_id, pid,
              coalesce(' ' || (SELECT exe FROM process_context p WHERE p.capture_id = ex.capture_id
                               AND p.pid = ex.pid), '')) AS summary,
       'execveat' AS call, id AS call_id, json_array(json_array(made_by, made_id)) AS evidence
  FROM ex
 WHERE memfd OR path LIKE '% (deleted)'
UNION ALL
SELECT s.capture_id, CASE WHEN s.exe LIKE '/memfd:%' THEN 'medium' ELSE 'low' END, s.ts,
       s.tgid, s.tgid, s.comm, NULL, NULL, 'runs ' || s.exe,
       printf('pid %d runs %s (the recorder''s %s snapshot)%s', s.tgid, s.exe, s.reason,
              coalesce(' [' || CASE WHEN length(s.cmdline) > 160
                                    THEN substr(s.cmdline, 1, 160) || '...'
                                    ELSE s.cmdline END || ']', '')),
       NULL, NULL, NULL
  FROM process_snapshot AS s
 WHERE (s.exe LIKE '/memfd:%' OR s.exe LIKE '% (deleted)')
   AND s.ts = (SELECT min(s2.ts) FROM process_snapshot s2 WHERE s2.capture_id = s.capture_id
               AND s2.tgid = s.tgid AND s2.exe = s.exe)
 ORDER BY 3;
