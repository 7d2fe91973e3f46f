-- title: Code run from a world-writable or tmpfs directory
-- severity: high
-- kind: detection
-- mitre: T1574 Hijack Execution Flow; T1620 Reflective Code Loading
-- means: pages of a file under /dev/shm, /run/shm, /tmp, /var/tmp, /run/user or /dev/mqueue
--   were mapped or made executable (a dlopen() of a library placed there does this), or a
--   snapshot saw them executable.  High during the capture, medium when only a snapshot saw it.
-- why: those directories are where anyone (or the user) can write, and the tmpfs ones never
--   reach the disk: a dropped library or loader stage loaded from there is the classic
--   foothold; real software almost never runs code from them.
SELECT capture_id, CASE WHEN change = 'snapshot' THEN 'medium' ELSE 'high' END AS severity,
       ts, pid, tid, comm, addr, len, what AS summary,
       json_array(json_array(cause, CASE WHEN change = 'snapshot' THEN NULL ELSE cause_id END),
                  json_array(opened_by, opened_by_id)) AS evidence
  FROM exec_file_change
 WHERE place IS NOT NULL AND coalesce(memfd, 0) = 0
 ORDER BY ts;
