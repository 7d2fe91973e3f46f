-- title: What the detections found, most severe first
-- severity: info
-- kind: summary
-- params: pid: process id (optional: every process); severity: the lowest severity to show
--   (optional: all)
-- types: pid integer; severity high|medium|low|info
-- means: the findings table: one row per finding of a detection query (queries/ with kind
--   detection), with the number of call rows it rests on (finding_evidence).
-- why: the first page of any report: what happened, where, when, how bad.
SELECT f.id, f.severity, f.detection, f.ts, f.pid, f.tid, f.comm, f.addr, f.len, f.summary,
       (SELECT count(*) FROM finding_evidence e WHERE e.finding_id = f.id) AS evidence
  FROM findings AS f
 WHERE (:pid IS NULL OR f.pid = :pid)
   AND (:severity IS NULL OR f.severity_rank >= CASE :severity WHEN 'high' THEN 3
        WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)
 ORDER BY f.severity_rank DESC, f.ts;
