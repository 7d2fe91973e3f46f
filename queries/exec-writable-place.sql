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
-- false positives: test suites and build trees under /tmp loading their own libraries (a
--   build directory under /tmp), software that unpacks itself to /tmp (self-extracting
--   installers, some Python wheels): look at the path.  Stays quiet on the same files mapped
--   without PROT_EXEC and on memfds (exec-memfd's).
SELECT capture_id, CASE WHEN change = 'snapshot' THEN 'medium' ELSE 'high' END AS severity,
       ts, pid, tid, comm, addr, len,
       CASE change WHEN 'snapshot' THEN 'seen' WHEN 'protected' THEN 'made' ELSE 'mapped' END ||
         ' ' || (SELECT rwx FROM prot_rwx WHERE prot = x.prot & 7) || ' ' ||
         coalesce(path, 'an unnamed file') AS kind,
       what AS summary, CASE WHEN change != 'snapshot' THEN cause END AS call,
       CASE WHEN change != 'snapshot' THEN cause_id END AS call_id,
       CASE WHEN opened_by_id IS NOT NULL THEN json_array(json_array(opened_by, opened_by_id))
            END AS evidence
  FROM exec_file_change AS x
 WHERE place IS NOT NULL AND coalesce(memfd, 0) = 0
 ORDER BY ts;
