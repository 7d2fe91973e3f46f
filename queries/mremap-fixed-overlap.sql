-- title: mremap with MREMAP_FIXED moved a mapping over a live one
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection
-- means: a successful mremap with MREMAP_FIXED whose target range held live mappings in the
--   rebuilt address space: the kernel unmapped them without a word and put the moved pages in
--   their place.  The evidence is the mremap and the calls that had made what was replaced.
--   A target the capture knew nothing about is not reported (nothing is known to be lost).
-- why: replacing the pages behind an address other code already trusts (a library's code or
--   data, a buffer another thread uses) swaps contents without any write to that memory:
--   a way to inject code or data that write-watching tools do not see.
-- false positives: allocators that grow a block into a reserved PROT_NONE region they mapped
--   themselves (some arenas and GC heaps do mremap(MREMAP_FIXED) over their own reservation):
--   the summary names what was replaced.  Stays quiet on a target the capture never saw
--   mapped, on mremap without MREMAP_FIXED and on failed calls.
SELECT m.capture_id, 'high' AS severity, m.ts, coalesce(m.pid, m.tid) AS pid, m.tid, m.comm,
       m.new_address AS addr, m.new_size AS len, 'mremap over live mappings' AS kind,
       printf('mremap(0x%x, %d -> 0x%x, %d) replaced %s', m.old_address, m.old_size,
              m.new_address, m.new_size,
              group_concat(printf('0x%x-0x%x %s (from %s #%d)', v.start_addr, v.end_addr,
                                  coalesce((SELECT rwx FROM prot_rwx WHERE prot = v.prot & 7),
                                           '???'), v.cause, v.cause_id), ', ')) AS summary,
       'mremap' AS call, m.id AS call_id,
       json_group_array(json_array(v.cause, v.cause_id)) AS evidence
  FROM mremap AS m
  -- through the partial index vma_history_end_mremap (analyze/history-table.c): its terms
  JOIN vma_history AS v
    ON v.end_cause = 'mremap' AND v.end_cause_id = m.id
   AND v.start_addr < m.new_address + m.new_size AND v.end_addr > m.new_address
 WHERE (m.flags & 2) != 0 AND m.errno IS NULL AND m.ret IS NOT NULL
 GROUP BY m.id
 ORDER BY m.ts;
