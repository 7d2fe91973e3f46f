-- title: Two threads changing the same memory at once (TOCTOU race)
-- severity: medium
-- kind: detection
-- mitre: T1068 Exploitation for Privilege Escalation
-- means: two threads of one process changed overlapping ranges (mprotect, pkey_mprotect,
--   munmap, mremap, remap_file_pages, mmap with MAP_FIXED) within 1 ms of each other, in
--   either order, and the range was not mapped afresh in between: one row per pair, the
--   findings group them by process and kind ('munmap then mprotect').  Only processes the
--   capture shows with two threads or more (task.tgid) are looked at.
-- why: one thread checking or using a range while another changes it is the shape of
--   time-of-check/time-of-use races, and of exploits of kernel memory-management bugs that
--   race mprotect, munmap or mremap against each other (e.g. the Dirty COW family).
-- false positives: ordinary address reuse between threads -- one thread unmaps an arena's
--   surplus, another mmaps a fresh thread stack or arena at the same address and mprotects
--   its guard page (glibc malloc and pthread_create in java, gdb, node) -- stays quiet: a
--   successful mmap or mmap2 of the process covering the overlap between the two calls
--   means the second call worked on new memory, not on what the first one changed.
WITH multi AS (
	SELECT capture_id, tgid FROM task WHERE tgid IS NOT NULL
	 GROUP BY capture_id, tgid HAVING count(*) > 1
), threads AS (
	-- their threads (each call table is read once: it has no index on tid).  task has
	-- no index on tgid: joined with multi, it was read whole once per row of multi
	-- (1 s on a capture of 12,000 tasks), where IN looks each task up in a list made once
	SELECT pid AS tid FROM task WHERE (capture_id, tgid) IN (SELECT capture_id, tgid FROM multi)
), changer AS (
	SELECT 'mmap' AS call, id, capture_id, ts, coalesce(pid, tid) AS pid, tid, comm,
	       addr, addr + coalesce(len, 0) AS end_addr, errno
	  FROM mmap WHERE tid IN (SELECT tid FROM threads) AND (flags & 0x10) != 0
	UNION ALL
	SELECT 'mmap2', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       addr, addr + coalesce(length, 0), errno
	  FROM mmap2 WHERE tid IN (SELECT tid FROM threads) AND (flags & 0x10) != 0
	UNION ALL
	SELECT 'mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       addr, addr + coalesce(len, 0), errno
	  FROM mprotect WHERE tid IN (SELECT tid FROM threads)
	UNION ALL
	SELECT 'pkey_mprotect', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       start, start + coalesce(len, 0), errno
	  FROM pkey_mprotect WHERE tid IN (SELECT tid FROM threads)
	UNION ALL
	SELECT 'munmap', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       addr, addr + coalesce(len, 0), errno
	  FROM munmap WHERE tid IN (SELECT tid FROM threads)
	UNION ALL
	SELECT 'mremap', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       old_address, old_address + coalesce(old_size, 0), errno
	  FROM mremap WHERE tid IN (SELECT tid FROM threads)
	UNION ALL
	SELECT 'remap_file_pages', id, capture_id, ts, coalesce(pid, tid), tid, comm,
	       addr, addr + coalesce(size, 0), errno
	  FROM remap_file_pages WHERE tid IN (SELECT tid FROM threads)
), fresh AS MATERIALIZED (
	-- the successful mmaps of those processes: what maps a range afresh between two
	-- calls.  Each pair looks them up by process and millisecond (the pair is at most
	-- 1 ms long: the one it starts in and the next), through an index SQLite makes on
	-- them, instead of reading the mmap tables once per pair.
	SELECT capture_id, coalesce(pid, tid) AS pid, ts / 1000000 AS ms, ts, ret AS addr,
	       ret + len AS end_addr
	  FROM mmap WHERE tid IN (SELECT tid FROM threads) AND errno IS NULL AND ret IS NOT NULL
	UNION ALL
	SELECT capture_id, coalesce(pid, tid), ts / 1000000, ts, ret, ret + length
	  FROM mmap2 WHERE tid IN (SELECT tid FROM threads) AND errno IS NULL AND ret IS NOT NULL
), ordered AS (
	SELECT *, row_number() OVER (PARTITION BY capture_id, pid ORDER BY ts, call, id) AS n
	  FROM changer
)
SELECT a.capture_id, 'medium' AS severity, a.ts, a.pid, b.tid, b.comm,
       max(a.addr, b.addr) AS addr, min(a.end_addr, b.end_addr) - max(a.addr, b.addr) AS len,
       a.call || ' then ' || b.call AS kind,
       printf('thread %d %s(0x%x, %d)%s, then %.0f us later thread %d %s(0x%x, %d)%s', a.tid,
              a.call, a.addr, a.end_addr - a.addr,
              CASE WHEN a.errno IS NOT NULL THEN ' failed' ELSE '' END,
              (b.ts - a.ts) / 1e3, b.tid, b.call, b.addr, b.end_addr - b.addr,
              CASE WHEN b.errno IS NOT NULL THEN ' failed' ELSE '' END) AS summary,
       b.call AS call, b.id AS call_id, json_array(json_array(a.call, a.id)) AS evidence
  FROM ordered AS a
  -- the next 16 calls of the process, each found by its number: a join on a range of n
  -- would read every call of the process for each call (quadratic in a busy process)
  JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14),
	       (15), (16)) AS step
  JOIN ordered AS b
    ON b.capture_id = a.capture_id AND b.pid = a.pid AND b.n = a.n + step.column1
   AND b.ts - a.ts <= 1000000 AND b.tid != a.tid
   AND b.addr < a.end_addr AND a.addr < b.end_addr
 WHERE NOT EXISTS (
	-- mapped afresh in between
	SELECT 1 FROM (VALUES (0), (1)) AS later
	 CROSS JOIN fresh AS x ON x.capture_id = a.capture_id AND x.pid = a.pid
	   AND x.ms = a.ts / 1000000 + later.column1
	 WHERE x.ts > a.ts AND x.ts < b.ts
	   AND x.addr < min(a.end_addr, b.end_addr) AND x.end_addr > max(a.addr, b.addr))
 ORDER BY a.ts;
