-- title: How many hosts each (executable, detection) was seen on, rarest first
-- severity: info
-- kind: summary
-- params: detection: one detection (optional: all)
-- means: one row per executable (the process's comm) and detection: on how many hosts of the
--   fleet it was found, of how many hosts with a complete capture, how many findings, and
--   which hosts.  The rarest come first.
-- why: a program that makes memory executable on every host is how it works (a JIT); the
--   same program doing it on 1 host of 300 is that host's problem: look there.
SELECT ifNull(comm, '') AS executable, detection, uniqExact(host) AS hosts,
       (SELECT uniqExact(host) FROM captures
         WHERE attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)) AS of_hosts,
       count() AS findings, arrayStringConcat(arraySort(groupUniqArray(host)), ' ') AS host_list
  FROM findings
 WHERE attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)
   AND (isNull({detection:Nullable(String)}) OR detection = {detection:Nullable(String)})
 GROUP BY executable, detection
 ORDER BY hosts, findings, executable, detection
