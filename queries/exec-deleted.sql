-- title: Code run from a deleted file
-- severity: high
-- kind: detection
-- mitre: T1070.004 File Deletion; T1620 Reflective Code Loading
-- means: pages of a file that was already deleted (" (deleted)" behind the mapping in
--   /proc/PID/maps, as the recorder found it) were mapped or made executable, or a snapshot saw
--   them executable.  memfds are left to exec-memfd.  High when it happened during the
--   capture; low when only a snapshot saw it: a package upgrade leaves running programs with
--   deleted libraries too.
-- why: dropping a library, loading it and deleting it leaves no file for a responder to find;
--   the mapping is what is left of it.
SELECT capture_id, CASE WHEN change = 'snapshot' THEN 'low' ELSE 'high' END AS severity,
       ts, pid, tid, comm, addr, len, what AS summary,
       json_array(json_array(cause, CASE WHEN change = 'snapshot' THEN NULL ELSE cause_id END),
                  json_array(opened_by, opened_by_id)) AS evidence
  FROM exec_file_change
 WHERE deleted = 1
 ORDER BY ts;
