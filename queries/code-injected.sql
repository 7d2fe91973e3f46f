-- title: Code made executable in a process another process was writing into
-- severity: high
-- kind: detection
-- mitre: T1055.008 Ptrace System Calls; T1055 Process Injection
-- means: a process (the tracer) attached to another with ptrace, or wrote into it (ptrace
--   POKETEXT/POKEDATA/POKEUSER/SETREGS/SETFPREGS/SETREGSET, process_vm_writev), and while it
--   did -- from its first attach or write to its detach (ptrace) or to 5 s after its last
--   write (process_vm_writev) -- the target mapped memory executable or made memory
--   executable.  The finding is the target's, and names the tracer: pid, executable and
--   command line (process_context), and what it did.
-- why: gdb's `call mmap(...)`, injectors like linux-inject and hotpatchers work this way: the
--   tracer makes the target itself map or mprotect the memory, so the target's own calls are
--   all the address-space history shows.  Who was writing into it is what a responder needs.
-- false positives: a debugger's `call` of a function that maps code, live patchers (kpatch's
--   user-space cousins, libcare), and JITs being debugged: look at the tracer's executable.
--   Stays quiet on a process tracing itself, on writes that failed, and on code mapped
--   before the first write or attach, or more than 5 s after the last process_vm_writev.
WITH act AS (
	SELECT 'ptrace' AS call, p.id, p.capture_id, p.ts, coalesce(p.pid, p.tid) AS tracer,
	       coalesce((SELECT t.tgid FROM task t WHERE t.capture_id = p.capture_id
	                 AND t.pid = p.target), p.target) AS target,
	       CASE p.request WHEN 4 THEN 'POKETEXT' WHEN 5 THEN 'POKEDATA' WHEN 6 THEN 'POKEUSER'
	                      WHEN 13 THEN 'SETREGS' WHEN 15 THEN 'SETFPREGS'
	                      WHEN 16 THEN 'ATTACH' WHEN 17 THEN 'DETACH'
	                      WHEN 16901 THEN 'SETREGSET' WHEN 16902 THEN 'SEIZE' END AS what
	  FROM ptrace AS p
	 WHERE p.request IN (4, 5, 6, 13, 15, 16, 17, 16901, 16902) AND p.errno IS NULL
	UNION ALL
	SELECT 'process_vm_writev', w.id, w.capture_id, w.ts, coalesce(w.pid, w.tid),
	       coalesce((SELECT t.tgid FROM task t WHERE t.capture_id = w.capture_id
	                 AND t.pid = w.target), w.target), 'process_vm_writev'
	  FROM process_vm_writev AS w
	 WHERE w.errno IS NULL AND w.ret > 0
), session AS (
	-- one per tracer and target: when it began writing (or attached) and when it stopped
	SELECT capture_id, tracer, target, min(ts) FILTER (WHERE what != 'DETACH') AS ts_from,
	       coalesce(max(ts) FILTER (WHERE what = 'DETACH'),
	                CASE WHEN count(*) FILTER (WHERE call = 'ptrace' AND what != 'DETACH') = 0
	                     THEN max(ts) + 5000000000 END) AS ts_to,
	       group_concat(DISTINCT what) AS whats,
	       count(*) FILTER (WHERE what NOT IN ('ATTACH', 'SEIZE', 'DETACH')) AS writes,
	       json_group_array(json_array(call, id)) AS calls
	  FROM act
	 WHERE tracer != target
	 GROUP BY capture_id, tracer, target
), change AS (
	SELECT h.capture_id, h.pid, h.cause, h.cause_id, h.change, min(h.ts_from) AS ts,
	       min(h.start_addr) AS addr, max(h.end_addr) - min(h.start_addr) AS len, h.prot,
	       h.prior_prot, h.file_id
	  FROM vma_history AS h
	 WHERE h.pid IN (SELECT target FROM session) AND (h.prot & 4) != 0
	   AND (h.change = 'mapped' OR (h.change = 'protected' AND coalesce(h.prior_prot & 4, 0) = 0))
	 GROUP BY h.capture_id, h.cause, h.cause_id
)
SELECT c.capture_id, 'high' AS severity, c.ts, c.pid,
       coalesce(m1.tid, m2.tid, m3.tid, m4.tid, m5.tid, m6.tid) AS tid,
       coalesce(m1.comm, m2.comm, m3.comm, m4.comm, m5.comm, m6.comm) AS comm, c.addr, c.len,
       printf('%s %s while pid %d%s was writing into it', c.cause,
              CASE c.change WHEN 'protected' THEN 'made executable' ELSE 'mapped executable' END,
              s.tracer, coalesce(' ' || t.exe, '')) AS kind,
       printf('%s %s 0x%x-0x%x%s in pid %d%s while pid %d%s%s was writing into it (%s; %d writes)',
              c.cause, CASE c.change WHEN 'protected' THEN 'made' ELSE 'mapped' END,
              c.addr, c.addr + c.len,
              ' ' || (SELECT rwx FROM prot_rwx WHERE prot = c.prot & 7) ||
              CASE WHEN c.change = 'protected' THEN ' (was ' || coalesce((SELECT rwx FROM prot_rwx
                   WHERE prot = c.prior_prot & 7), '???') || ')' ELSE '' END,
              c.pid, coalesce(' ' || v.exe, ''), s.tracer, coalesce(' ' || t.exe, ''),
              coalesce(' [' || CASE WHEN length(t.cmdline) > 160
                                    THEN substr(t.cmdline, 1, 160) || '...'
                                    ELSE t.cmdline END || ']', ''), s.whats, s.writes) AS summary,
       c.cause AS call, c.cause_id AS call_id, s.calls AS evidence
  FROM change AS c
  JOIN session AS s ON s.capture_id = c.capture_id AND s.target = c.pid
   AND c.ts >= s.ts_from AND (s.ts_to IS NULL OR c.ts <= s.ts_to)
  -- the call's own table by its row id (the memory_call view would read every call)
  LEFT JOIN mmap AS m1 ON c.cause = 'mmap' AND m1.id = c.cause_id
  LEFT JOIN mmap2 AS m2 ON c.cause = 'mmap2' AND m2.id = c.cause_id
  LEFT JOIN mprotect AS m3 ON c.cause = 'mprotect' AND m3.id = c.cause_id
  LEFT JOIN pkey_mprotect AS m4 ON c.cause = 'pkey_mprotect' AND m4.id = c.cause_id
  LEFT JOIN mremap AS m5 ON c.cause = 'mremap' AND m5.id = c.cause_id
  LEFT JOIN remap_file_pages AS m6 ON c.cause = 'remap_file_pages' AND m6.id = c.cause_id
  -- c.pid + 0: see exec_file_change in analyze/layout.sql (an indexable comparison)
  LEFT JOIN process_context AS v ON v.capture_id = c.capture_id AND v.pid = c.pid + 0
  LEFT JOIN process_context AS t ON t.capture_id = s.capture_id AND t.pid = s.tracer
 ORDER BY c.ts;
