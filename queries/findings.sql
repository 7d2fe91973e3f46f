-- title: What the detections found, most severe first
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process); severity: the lowest severity to show
--   (optional: all)
-- types: pid integer; severity high|medium|low|info
-- means: the findings table: one row per group of a detection (queries/ with kind
--   detection) -- one per capture, process and kind of change, e.g. 'rw- -> r-x anonymous'
--   -- with how many calls it groups (all in finding_evidence: `maptrail query DB
--   finding-calls --param id=ID` lists them), how many distinct ranges and their bytes, and
--   the first and last call's time; ts, tid, addr, len and summary describe the first call;
--   exe, cmdline and ppid name the process, and lowered_by the rule (a known runtime or a
--   --baseline line) that lowered severity from detection_severity.
-- why: the first page of any report: what happened, where, when, how bad, how often.
SELECT f.id, f.severity, f.detection, f.pid, f.comm, f.kind, f.calls, f.ranges, f.bytes,
       f.ts, f.last_ts, f.tid, f.addr, f.len, f.summary, f.exe, f.cmdline, f.ppid,
       f.detection_severity, f.lowered_by
  FROM findings AS f
 WHERE (:pid IS NULL OR f.pid = :pid)
   AND (:severity IS NULL OR f.severity_rank >= CASE :severity WHEN 'high' THEN 3
        WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
 ORDER BY f.severity_rank DESC, f.ts;
