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
-- false positives: a raw trigger (EVENT:FILTER) fires on whatever its filter says (medium);
--   the named ones on what they name.  Stays quiet on captures that are not flight dumps and
--   on dumps made by SIGUSR1, a signal or --duration (no trigger fired).
SELECT c.capture_id,
       CASE WHEN f.trigger_spec IN ('wx', 'fixed-remap', 'remap_file_pages') THEN 'high'
            ELSE 'medium' END AS severity,
       c.ts, coalesce(c.pid, c.tid) AS pid, c.tid, c.comm, c.addr, c.len,
       'trigger ' || f.trigger || ' on ' || c.call AS kind,
       printf('trigger %s froze the flight recorder at %s(addr 0x%x, len %d%s%s) by %s: %s if %s',
              f.trigger, c.call, c.addr, c.len,
              CASE WHEN c.prot IS NULL THEN '' ELSE
                   printf(', prot %s', (SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7)) END,
              CASE WHEN c.flags IS NULL THEN '' ELSE printf(', flags 0x%x', c.flags) END,
              coalesce(c.comm, '?'), f.trigger_event,
              CASE WHEN f.trigger_filter = '' THEN 'every call' ELSE f.trigger_filter END)
         AS summary,
       c.call, c.id AS call_id, NULL AS evidence
  FROM flight AS f
  -- flight first: memory_call is a view of every call, read only when a trigger fired
 CROSS JOIN memory_call AS c ON c.capture_id = f.capture_id AND c.ts = f.trigger_ts
   AND c.tid = f.trigger_tid
 ORDER BY +c.ts;
