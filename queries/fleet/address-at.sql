-- title: What was at an address in a process on a host at a given time
-- severity: info
-- kind: lookup
-- params: host: the host; pid: process id; addr: the address (0x... or decimal); ts: the time
--   (trace clock, ns); capture: one capture's sha256 (optional: any of the host's)
-- means: the range of the rebuilt address space (vma_history) that held the address at that
--   time, in each complete capture of the host that saw it: protection, flags, file offset,
--   since when and how it came to be (change, cause: the call table and row), and until when.
--   No row: no capture of that host saw the address mapped then.
-- why: a pointer from one host's crash report or alert, asked of the fleet's store without
--   fetching that host's capture.
SELECT host, capture, pid, {addr:Int64} AS addr, start_addr, end_addr, prot, map_flags, fd,
       pgoff, change, cause, cause_id, ts_from AS since, ts_to AS until, prior_prot
  FROM vma_history
 WHERE attempt IN (SELECT min(attempt) FROM captures GROUP BY capture)
   AND host = {host:String} AND pid = {pid:Int64}
   AND start_addr <= {addr:Int64} AND end_addr > {addr:Int64}
   AND ts_from <= {ts:Int64} AND (isNull(ts_to) OR ts_to > {ts:Int64})
   AND (isNull({capture:Nullable(String)}) OR capture = assumeNotNull({capture:Nullable(String)}))
 ORDER BY capture, start_addr
