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
-- false positives: JITs and runtimes that double-map a memfd for W^X (some V8 and .NET
--   builds), container runtimes running from a sealed memfd: look at the executable.  Stays
--   quiet on memfds mapped without PROT_EXEC.
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
 WHERE memfd = 1
 ORDER BY ts;
