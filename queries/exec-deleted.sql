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
-- false positives: a package upgrade replaces libraries under running programs: the snapshot
--   sees them " (deleted)" (low).  Stays quiet on files that still exist and on memfds.
SELECT capture_id, CASE WHEN change = 'snapshot' THEN 'low' ELSE 'high' END AS severity,
       ts, pid, tid, comm, addr, len,
       CASE change WHEN 'snapshot' THEN 'seen' WHEN 'protected' THEN 'made' ELSE 'mapped' END ||
         ' ' || (SELECT rwx FROM prot_rwx WHERE prot = x.prot & 7) || ' ' ||
         coalesce(path, 'an unnamed file') AS kind,
       what AS summary, CASE WHEN change != 'snapshot' THEN cause END AS call,
       CASE WHEN change != 'snapshot' THEN cause_id END AS call_id,
       CASE WHEN opened_by_id IS NOT NULL THEN json_array(json_array(opened_by, opened_by_id))
            END AS evidence
  FROM exec_file_change AS x
 WHERE deleted = 1
 ORDER BY ts;
