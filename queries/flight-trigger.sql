-- title: The call that froze the flight recorder
-- severity: high
-- kind: detection
-- means: a flight capture (maptrail record --flight) whose in-kernel trigger fired: the call
--   the trigger's filter matched, at the moment it entered the kernel.  Its return is usually
--   missing: the buffer stopped inside the call (--after records what followed).  High for the
--   named triggers wx, fixed-remap and remap_file_pages, medium for exec (any code mapped)
--   and for a raw trigger (EVENT:FILTER), whose meaning the user chose.
-- why: the reason the capture exists: the window before it is what led up to the call, and the
--   other findings on the same call say what it did.
SELECT c.capture_id,
       CASE WHEN f.trigger_spec IN ('wx', 'fixed-remap', 'remap_file_pages') THEN 'high'
            ELSE 'medium' END AS severity,
       c.ts, coalesce(c.pid, c.tid) AS pid, c.tid, c.comm, c.addr, c.len,
       printf('trigger %s froze the flight recorder at %s(addr 0x%x, len %d%s%s) by %s: %s if %s',
              f.trigger, c.call, c.addr, c.len,
              CASE WHEN c.prot IS NULL THEN '' ELSE
                   printf(', prot %s', (SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7)) END,
              CASE WHEN c.flags IS NULL THEN '' ELSE printf(', flags 0x%x', c.flags) END,
              coalesce(c.comm, '?'), f.trigger_event,
              CASE WHEN f.trigger_filter = '' THEN 'every call' ELSE f.trigger_filter END)
         AS summary,
       json_array(json_array(c.call, c.call_id)) AS evidence
  FROM flight_call AS c
  JOIN flight AS f ON f.capture_id = c.capture_id
 ORDER BY c.ts;
