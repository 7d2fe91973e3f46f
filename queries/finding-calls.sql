-- title: The calls of one finding, with their arguments
-- severity: info
-- kind: lookup
-- params: id: the finding (findings.id, the first column of `maptrail query DB findings`);
--   limit: how many calls (optional: all); from_ts: the first time to show (optional: the
--   beginning)
-- types: id integer required; limit integer; from_ts integer
-- means: every call a finding groups (finding_evidence), in time order: the call table and
--   row, when, which thread, the arguments as the call gave them (protections as rwx,
--   addresses in hex), the result and the errno name when it failed.  Calls of tables other
--   than the memory calls (ptrace, process_vm_writev, execveat, openat, memfd_create ...)
--   show their table and row only: read them there.
-- why: a finding is a group (one per process and kind of change); this is its drill-down:
--   which addresses, how often, at what rhythm, which threads.
WITH e AS (
	SELECT call, call_id FROM finding_evidence WHERE finding_id = :id
), c AS (
	SELECT e.call, e.call_id,
	       coalesce(a.ts, b.ts, p.ts, k.ts, u.ts, r.ts, f.ts, h.ts) AS ts,
	       coalesce(a.pid, b.pid, p.pid, k.pid, u.pid, r.pid, f.pid, h.pid,
	                a.tid, b.tid, p.tid, k.tid, u.tid, r.tid, f.tid, h.tid) AS pid,
	       coalesce(a.tid, b.tid, p.tid, k.tid, u.tid, r.tid, f.tid, h.tid) AS tid,
	       coalesce(a.comm, b.comm, p.comm, k.comm, u.comm, r.comm, f.comm, h.comm) AS comm,
	       CASE e.call
	       WHEN 'mmap' THEN printf('addr=0x%x len=%d prot=%s flags=0x%x fd=%d off=%d', a.addr,
	                               a.len, (SELECT rwx FROM prot_rwx WHERE prot = a.prot & 7),
	                               a.flags, a.fd, a.off)
	       WHEN 'mmap2' THEN printf('addr=0x%x length=%d prot=%s flags=0x%x fd=%d pgoffset=%d',
	                                b.addr, b.length,
	                                (SELECT rwx FROM prot_rwx WHERE prot = b.prot & 7), b.flags,
	                                b.fd, b.pgoffset)
	       WHEN 'mprotect' THEN printf('addr=0x%x len=%d prot=%s', p.addr, p.len,
	                                   (SELECT rwx FROM prot_rwx WHERE prot = p.prot & 7))
	       WHEN 'pkey_mprotect' THEN printf('start=0x%x len=%d prot=%s pkey=%d', k.start, k.len,
	                                        (SELECT rwx FROM prot_rwx WHERE prot = k.prot & 7),
	                                        k.pkey)
	       WHEN 'munmap' THEN printf('addr=0x%x len=%d', u.addr, u.len)
	       WHEN 'mremap' THEN printf('old_address=0x%x old_size=%d new_size=%d flags=0x%x'
	                                 || ' new_address=0x%x', r.old_address, r.old_size,
	                                 r.new_size, r.flags, r.new_address)
	       WHEN 'remap_file_pages' THEN printf('addr=0x%x size=%d prot=%d pgoff=%d flags=0x%x',
	                                           f.addr, f.size, f.prot, f.pgoff, f.flags)
	       WHEN 'brk' THEN printf('brk=0x%x', h.brk) END AS args,
	       coalesce(a.ret, b.ret, p.ret, k.ret, u.ret, r.ret, f.ret, h.ret) AS ret,
	       coalesce(a.errno, b.errno, p.errno, k.errno, u.errno, r.errno, f.errno, h.errno)
	         AS errno
	  FROM e
	  LEFT JOIN mmap AS a ON e.call = 'mmap' AND a.id = e.call_id
	  LEFT JOIN mmap2 AS b ON e.call = 'mmap2' AND b.id = e.call_id
	  LEFT JOIN mprotect AS p ON e.call = 'mprotect' AND p.id = e.call_id
	  LEFT JOIN pkey_mprotect AS k ON e.call = 'pkey_mprotect' AND k.id = e.call_id
	  LEFT JOIN munmap AS u ON e.call = 'munmap' AND u.id = e.call_id
	  LEFT JOIN mremap AS r ON e.call = 'mremap' AND r.id = e.call_id
	  LEFT JOIN remap_file_pages AS f ON e.call = 'remap_file_pages' AND f.id = e.call_id
	  LEFT JOIN brk AS h ON e.call = 'brk' AND h.id = e.call_id
)
SELECT c.call, c.call_id, c.ts, c.pid, c.tid, c.comm, c.args,
       CASE WHEN c.errno IS NOT NULL THEN NULL
            WHEN c.call IN ('mmap', 'mmap2', 'mremap', 'brk') THEN printf('0x%x', c.ret)
            ELSE c.ret END AS ret,
       (SELECT name FROM schema_errno WHERE number = c.errno) AS errno
  FROM c
 WHERE c.ts IS NULL OR c.ts >= coalesce(:from_ts, 0)
 ORDER BY c.ts IS NULL, c.ts, c.call, c.call_id
 LIMIT coalesce(:limit, -1);
