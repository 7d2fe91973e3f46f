-- title: One host's memory-mapping calls in order
-- severity: info
-- kind: summary
-- params: host: the host; capture: one capture's sha256 (optional: all of the host's);
--   pid: process id (optional: every process); from, to: a time window [from, to) in the
--   trace clock, ns (optional)
-- means: one row per call of the host's complete captures, in time order within each
--   capture, under the common names of memory_call: the call, its thread and process,
--   address, length, protection, flags, return value and errno.
-- why: what a host's processes did to their address spaces, around the time a finding
--   points at: the context an analyst reads before deciding.
SELECT host, capture, ts, pid, tid, comm, call,
       coalesce(addr, old_address, start, brk) AS addr,
       coalesce(len, length, old_size, size) AS len, prot, flags, ret, errno
  FROM calls
 WHERE attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)
   AND host = {host:String}
   AND (isNull({capture:Nullable(String)}) OR capture = assumeNotNull({capture:Nullable(String)}))
   AND (isNull({pid:Nullable(Int64)}) OR pid = {pid:Nullable(Int64)})
   AND (isNull({from:Nullable(Int64)}) OR ts >= {from:Nullable(Int64)})
   AND (isNull({to:Nullable(Int64)}) OR ts < {to:Nullable(Int64)})
 ORDER BY capture, ts, call, id
