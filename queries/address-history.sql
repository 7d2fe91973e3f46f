-- title: The history of one address in a process
-- severity: info
-- kind: lookup
-- params: pid: process id; addr: the address (0x... or decimal); from_ts: the first time to
--   show (ns, seconds or UTC as ts of address-at; optional: the beginning); limit: how many states (optional: 1000)
-- types: pid integer required; addr integer required; from_ts time; limit integer
-- means: the states the address went through in the rebuilt address space, oldest first
--   (limit of them, from from_ts on: page on with from_ts = the last ts_from shown):
--   the range that held it, protection, how the state began (change, cause) and ended
--   (end_cause: a call table, 'exec' or 'exit'; NULL: still so at the end of the capture).
-- why: follows one pointer through its life: mapped, written, made executable, moved away,
--   replaced -- the sequence a report about injected code has to tell.
SELECT h.id AS history_id, h.pid, h.start_addr, h.end_addr, h.prot,
       (SELECT rwx FROM prot_rwx WHERE prot = h.prot & 7) AS rwx, h.map_flags, h.change,
       h.cause, h.cause_id, h.ts_from, h.ts_to, h.end_cause, h.end_cause_id, h.prior_id,
       h.prior_prot
  FROM vma_history AS h
 WHERE h.pid = :pid AND h.start_addr <= :addr AND h.end_addr > :addr
   AND (h.ts_to IS NULL OR h.ts_to > coalesce(:from_ts, 0))
 ORDER BY h.ts_from, h.id
 LIMIT coalesce(:limit, 1000);
