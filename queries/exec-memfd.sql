-- title: Code run from a memfd
-- severity: high
-- kind: detection
-- mitre: T1620 Reflective Code Loading; T1027.011 Fileless Storage
-- means: pages of a memfd (an anonymous file made by memfd_create, /memfd:NAME in maps) were
--   mapped executable, made executable, or seen executable by the recorder's snapshot.  The
--   file is known as a memfd from the descriptor's own memfd_create call, or from the name the
--   recorder found behind the mapping.  High when it happened during the capture; medium when
--   only a snapshot saw it (it was there before, who did it is not in the capture).
-- why: a memfd is the fileless loader's favourite: write the payload into it, map it PROT_EXEC
--   (or fexecve it), and nothing ever touches the disk.  Some JITs double-map memfds: look at the
--   executable and the command line named in the summary.
SELECT capture_id, CASE WHEN change = 'snapshot' THEN 'medium' ELSE 'high' END AS severity,
       ts, pid, tid, comm, addr, len, what AS summary,
       json_array(json_array(cause, CASE WHEN change = 'snapshot' THEN NULL ELSE cause_id END),
                  json_array(opened_by, opened_by_id)) AS evidence
  FROM exec_file_change
 WHERE memfd = 1
 ORDER BY ts;
