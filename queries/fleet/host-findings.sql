-- title: Hosts with findings, by detection and severity
-- severity: info
-- kind: summary
-- params: host: one host (optional: every host); detection: one detection (optional: all);
--   severity: the lowest severity to show (optional: all)
-- means: one row per host, detection and severity: how many findings the detections made in
--   that host's complete captures, in how many captures, and the first and last time (each
--   capture's trace clock, ns).
-- why: the fleet's first page: which machines had writable memory made executable, code
--   patched, mappings moved over live ones, and how often; a host alone on a line is where
--   to look first.
SELECT host, detection, severity, count() AS findings, uniqExact(capture) AS captures,
       min(ts) AS first_ts, max(ts) AS last_ts
  FROM findings
 WHERE attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)
   AND (isNull({host:Nullable(String)}) OR host = assumeNotNull({host:Nullable(String)}))
   AND (isNull({detection:Nullable(String)}) OR detection = {detection:Nullable(String)})
   AND (isNull({severity:Nullable(String)}) OR severity_rank >=
        multiIf({severity:Nullable(String)} = 'high', 3, {severity:Nullable(String)} = 'medium', 2,
                {severity:Nullable(String)} = 'low', 1, 0))
 GROUP BY host, detection, severity, severity_rank
 ORDER BY host, severity_rank DESC, detection
