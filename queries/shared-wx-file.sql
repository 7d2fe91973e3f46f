-- title: A file mapped shared, writable and executable
-- severity: high
-- kind: detection
-- mitre: T1055 Process Injection; T1620 Reflective Code Loading
-- means: a MAP_SHARED mapping of a file (or memfd) was writable and executable at once --
--   mapped so, made so, or seen so by a snapshot (high; medium when only a snapshot saw it);
--   or a process had one file mapped shared and writable while another mapping of the same
--   file (the same open, or the same path) became executable (medium): the same pages written
--   through one address and run through the other.
-- why: writes through a shared mapping reach the file and every other mapping of it, so W^X
--   per mapping is no protection: that is how double-mapping loaders (and some JITs) write
--   code where the executable view cannot be written to.
-- false positives: JITs that double-map a memfd or a file in /dev/shm on purpose (one view
--   rw, one r-x: some V8, .NET and Firefox builds), and shared-memory IPC libraries that
--   map a writable segment of a file that also holds code (rare).  Stays quiet on private
--   mappings, on shared ones that are not writable, and on two mappings of different files.
WITH wx AS (
	SELECT h.capture_id, h.pid, h.cause, h.cause_id, h.change, h.file_id, min(h.ts_from) AS ts,
	       min(h.start_addr) AS addr, max(h.end_addr) - min(h.start_addr) AS len, h.prot
	  FROM vma_history AS h
	 WHERE h.file_id IS NOT NULL AND (h.prot & 4) != 0
	   AND (h.prot & 2) != 0 AND (h.map_flags & 1) != 0 AND (h.map_flags & 0x20) = 0
	   AND (h.change IN ('mapped', 'snapshot')
	        OR (h.change = 'protected' AND coalesce((h.prior_prot & 6) != 6, 1)))
	 GROUP BY h.capture_id, h.cause, h.cause_id, h.file_id
), twin AS (
	SELECT e.capture_id, e.pid, e.cause, e.cause_id, e.ts, e.addr, e.len, e.tid, e.comm, e.what,
	       e.path,
	       w.start_addr AS w_start, w.end_addr AS w_end, w.cause AS w_cause, w.cause_id AS w_id
	  FROM exec_file_change AS e
	  -- one shared writable mapping of the same file per change, the first found: through
	  -- the partial index vma_history_shared_write (analyze/history-table.c), the process's
	  -- shared writable file mappings only.  A join on all of them would pair every change
	  -- with every such mapping (a runtime double-mapping one memfd 4,000 times: 16 M pairs)
	  JOIN vma_history AS w ON w.id = (
		SELECT s.id FROM vma_history AS s
		  JOIN vma_file AS f ON f.id = s.file_id
		 WHERE s.pid = e.pid AND s.capture_id = e.capture_id
		   AND s.file_id IS NOT NULL AND (s.prot & 2) != 0 AND (s.map_flags & 1) != 0
		   AND (s.map_flags & 0x20) = 0
		   AND s.file_id != e.file_id AND s.ts_from <= e.ts
		   AND (s.ts_to IS NULL OR s.ts_to > e.ts)
		   AND ((f.opened_id IS NOT NULL AND f.opened_id = e.opened_id)
		        OR (f.path IS NOT NULL AND f.path = e.path))
		 LIMIT 1)
)
SELECT wx.capture_id, CASE WHEN wx.change = 'snapshot' THEN 'medium' ELSE 'high' END AS severity,
       wx.ts, wx.pid, e.tid, e.comm, wx.addr, wx.len,
       CASE WHEN wx.change = 'snapshot' THEN 'seen' ELSE wx.cause END || ' shared rwx ' ||
         coalesce(e.path, 'an unnamed file') AS kind,
       'shared and writable: ' || e.what AS summary,
       CASE WHEN wx.change != 'snapshot' THEN wx.cause END AS call,
       CASE WHEN wx.change != 'snapshot' THEN wx.cause_id END AS call_id, NULL AS evidence
  FROM wx
  JOIN exec_file_change AS e ON e.capture_id = wx.capture_id AND e.cause = wx.cause
   AND e.cause_id = wx.cause_id AND e.file_id = wx.file_id
UNION ALL
SELECT capture_id, 'medium', ts, pid, tid, comm, addr, len,
       cause || ' executable while shared writable elsewhere: ' || coalesce(path, 'a file'),
       printf('%s, while the same file is mapped shared and writable at 0x%x-0x%x (%s #%d)',
              what, w_start, w_end, w_cause, w_id),
       cause, cause_id, json_array(json_array(w_cause, w_id))
  FROM twin
 ORDER BY 3;
