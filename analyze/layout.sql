-- The tables every maptrail database has, whatever the capture.
-- Event tables (one per event format with events, named system__event) are
-- created from the formats in each capture; see README.md "The database".
-- Every statement is idempotent: --append runs this file again on an existing database.

-- One row per analyzed trace.dat file.
CREATE TABLE IF NOT EXISTS capture (
	id INTEGER PRIMARY KEY,
	path TEXT NOT NULL,		-- as given on the command line
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,		-- bytes
	file_version INTEGER NOT NULL,	-- trace.dat version: 6 or 7
	big_endian INTEGER NOT NULL,
	compression TEXT,		-- "zstd", "zlib" or NULL
	compression_version TEXT,
	cpus INTEGER NOT NULL,
	page_size INTEGER NOT NULL,
	long_size INTEGER NOT NULL,
	clock TEXT,			-- trace clock of the top buffer: ts units depend on it
	uname TEXT,
	kernel_version TEXT,
	hostname TEXT,
	buffers INTEGER NOT NULL,	-- top buffer and instances
	first_ts INTEGER,
	last_ts INTEGER,
	event_count INTEGER NOT NULL,
	lost_events INTEGER NOT NULL,	-- events the ring buffers reported lost, all CPUs
	lost_unknown INTEGER NOT NULL,	-- pages that lost an unknown number of events
	lost_per_cpu TEXT NOT NULL,	-- JSON: {"buffer/cpuN": count, ...}, only CPUs that lost
	recorder_plan TEXT,		-- maptrail record's probe plan, when it made the file
	analyzed_at TEXT NOT NULL,	-- UTC, ISO 8601
	maptrail_version TEXT NOT NULL,
	libtracecmd_version TEXT NOT NULL,
	-- The wall clock (README "Time"): a ts in UTC, ns since 1970, is
	--   ts + utc_offset + CAST((ts - utc_offset_ts) * utc_drift AS INTEGER)
	-- (the views finding_utc and memory_call_utc do it).  NULL: the file does not say.
	utc_source TEXT,		-- 'maptrail record' (its clock samples), 'trace-cmd --date'
	utc_offset INTEGER,		-- ns: CLOCK_REALTIME - ts at utc_offset_ts (the start)
	utc_offset_ts INTEGER,
	utc_drift REAL,			-- change of that offset per ns of ts, up to the end sample
	utc_uncertainty INTEGER		-- ns: ± of the clock samples; NULL: not known
);

-- The ring buffers in a capture: "" is the top buffer, the others are instances.
CREATE TABLE IF NOT EXISTS buffer (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	name TEXT NOT NULL,
	clock TEXT,
	page_size INTEGER,
	cpus INTEGER,
	event_count INTEGER NOT NULL DEFAULT 0,
	UNIQUE (capture_id, name)
);

-- Per CPU of each buffer: where its data was, what it held, what it lost.
-- lost_* come from the missed-events marks in the data pages; stats_* from the
-- recorder's per_cpu/cpuN/stats (trace-cmd's CPUSTAT options) when the file has them.
CREATE TABLE IF NOT EXISTS capture_cpu (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	buffer_id INTEGER NOT NULL REFERENCES buffer(id),
	cpu INTEGER NOT NULL,
	data_offset INTEGER,
	data_size INTEGER,
	events INTEGER NOT NULL,
	lost_events INTEGER NOT NULL,
	lost_unknown INTEGER NOT NULL,
	stats_entries INTEGER,
	stats_overrun INTEGER,
	stats_commit_overrun INTEGER,
	stats_dropped_events INTEGER,
	stats_read_events INTEGER,
	stats_text TEXT,
	PRIMARY KEY (capture_id, buffer_id, cpu)
);

-- Every event format in the file, whether or not it has events.
CREATE TABLE IF NOT EXISTS event_type (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	id INTEGER NOT NULL,		-- the kernel's event id in this capture
	system TEXT NOT NULL,
	name TEXT NOT NULL,
	table_name TEXT,		-- NULL when the capture has no event of this type
	fields TEXT NOT NULL,		-- "type name; ..." as in the format file
	print_fmt TEXT,
	event_count INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (capture_id, id)
);

-- Every field of every format, and the column it is stored in.
CREATE TABLE IF NOT EXISTS event_field (
	capture_id INTEGER NOT NULL,
	event_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	column_name TEXT,		-- NULL for common_type (the table) ; "pid" for common_pid
	c_type TEXT NOT NULL,
	offset INTEGER NOT NULL,
	size INTEGER NOT NULL,
	is_signed INTEGER NOT NULL,
	is_common INTEGER NOT NULL,
	storage TEXT NOT NULL,		-- unsigned, signed, string, data_loc string, raw, ...
	PRIMARY KEY (capture_id, event_id, position),
	FOREIGN KEY (capture_id, event_id) REFERENCES event_type(capture_id, id)
);

-- Tasks (threads: the kernel's pid) seen in events or in the saved cmdlines.
CREATE TABLE IF NOT EXISTS task (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	pid INTEGER NOT NULL,
	comm TEXT,			-- newest name an event gave, else the saved cmdline
	events INTEGER NOT NULL,	-- events this task caused
	first_ts INTEGER,
	last_ts INTEGER,
	tgid INTEGER,			-- its process, when the capture shows it (task_newtask, exec)
	PRIMARY KEY (capture_id, pid)
);

-- Every name a task went by, and where maptrail learned it.
CREATE TABLE IF NOT EXISTS task_comm (
	capture_id INTEGER NOT NULL,
	pid INTEGER NOT NULL,
	comm TEXT NOT NULL,
	source TEXT NOT NULL,		-- "event" or "saved_cmdlines"
	first_ts INTEGER,		-- first event that gave the name
	UNIQUE (capture_id, pid, comm, source),
	FOREIGN KEY (capture_id, pid) REFERENCES task(capture_id, pid)
);

-- Where the calls of a call table came from, per capture: one row per schema
-- source (schema_source) whose events the capture has.  Call tables
-- (mremap, mprotect, ...) refer to it by source_id.
CREATE TABLE IF NOT EXISTS call_source (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	event TEXT NOT NULL,		-- the call table
	backend TEXT NOT NULL,		-- 'tracepoint' or 'kprobe'
	arch TEXT NOT NULL,
	abi TEXT NOT NULL,		-- the caller's ABI: 'native', 'i386', ...
	enter_table TEXT,		-- event table of the entries (enter_id)
	exit_table TEXT			-- event table of the exits (exit_id)
);

-- Records whose event id has no format in the file: kept raw, never dropped.
CREATE TABLE IF NOT EXISTS unknown_event (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	buffer_id INTEGER NOT NULL REFERENCES buffer(id),
	ts INTEGER NOT NULL,
	cpu INTEGER NOT NULL,
	type_id INTEGER,
	data BLOB NOT NULL
);

-- Every row of every event table, by capture: what "nothing dropped" is checked against.
CREATE VIEW IF NOT EXISTS event_count AS
	SELECT capture_id, system, name, table_name, event_count
	FROM event_type WHERE event_count > 0;

-- The address space of each process, rebuilt from its memory calls in the
-- order they took effect (analyze/history.h): one row per range that held one
-- state over [ts_from, ts_to).  Nothing is invented: a range mapped before the
-- capture began appears only when a call touches it, with prior_id NULL
-- ("unknown before ts_from") and NULL for what the call did not set.
CREATE TABLE IF NOT EXISTS vma_history (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	pid INTEGER NOT NULL,		-- process (tgid; the thread id when the capture does not show it)
	start_addr INTEGER NOT NULL,	-- [start_addr, end_addr), page-aligned
	end_addr INTEGER NOT NULL,
	prot INTEGER,			-- PROT_* bits; NULL: mapped, protection unknown
	map_flags INTEGER,		-- mmap flags of the mapping; NULL: unknown
	fd INTEGER,			-- file mappings: the fd given to mmap; NULL: anonymous or unknown
	pgoff INTEGER,			-- file mappings: offset in pages of start_addr
	pkey INTEGER,			-- protection key; NULL: unknown
	change TEXT NOT NULL,		-- mapped, protected, moved, remapped, split, inherited, snapshot
	cause TEXT NOT NULL,		-- the call table of the call that began it, 'fork' or 'snapshot'
					-- (cause_id: the ftrace__print row of the maptrail:map record)
	cause_id INTEGER,		-- that call's row (fork: the sched__sched_process_fork row)
	ts_from INTEGER NOT NULL,
	ts_to INTEGER,			-- NULL: still so when the capture ended
	end_cause TEXT,			-- the call table of the call that ended it, 'exec' or 'exit'
	end_cause_id INTEGER,
	prior_id INTEGER,		-- the row these pages were in just before ts_from; NULL: unknown
	prior_prot INTEGER,		-- that row's prot (NULL: unknown)
	file_id INTEGER			-- what is mapped: vma_file(id); NULL: anonymous or unknown
);

-- What the detections of queries/ (kind: detection) found; rebuilt by every analyze.
CREATE TABLE IF NOT EXISTS findings (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER,
	detection TEXT NOT NULL,	-- the query's name: queries/<detection>.sql
	title TEXT NOT NULL,
	severity TEXT NOT NULL,		-- high, medium, low, info
	severity_rank INTEGER NOT NULL,	-- 3, 2, 1, 0: ORDER BY severity_rank DESC
	mitre TEXT,
	ts INTEGER,
	pid INTEGER,
	tid INTEGER,
	comm TEXT,
	addr INTEGER,
	len INTEGER,
	summary TEXT NOT NULL,
	-- the group (helper f): one finding per capture, detection, process and kind
	kind TEXT,			-- what the calls of the group did alike, e.g. 'rw- -> r-x anonymous'
	calls INTEGER NOT NULL DEFAULT 1,	-- the calls grouped here (all in finding_evidence)
	ranges INTEGER,			-- distinct (addr, len) among them
	bytes INTEGER,			-- bytes of those distinct ranges
	last_ts INTEGER,		-- the last call's entry (ts is the first's)
	-- context and judgement (helper g)
	exe TEXT,			-- the process's executable (process_context), NULL: unknown
	cmdline TEXT,			-- its command line when the capture has it
	ppid INTEGER,			-- its parent
	detection_severity TEXT,	-- what the detection judged, before any lowering
	lowered_by TEXT			-- why severity is lower than detection_severity: the runtime
					-- row or baseline line that matched; NULL: not lowered
);

-- The call rows each finding rests on: every call of its group.
CREATE TABLE IF NOT EXISTS finding_evidence (
	finding_id INTEGER NOT NULL REFERENCES findings(id),
	call TEXT NOT NULL,		-- a call table: mprotect, mmap, ...
	call_id INTEGER NOT NULL,	-- its row
	PRIMARY KEY (finding_id, call, call_id)
) WITHOUT ROWID;

-- The rules that lowered findings' severity (analyze/finding-context.c): maptrail's known
-- runtimes (schema/runtimes.rules) and the analyst's --baseline files, one row per line;
-- rebuilt by every analyze with the findings.  findings.lowered_by quotes the row.
CREATE TABLE IF NOT EXISTS severity_rule (
	id INTEGER PRIMARY KEY,		-- the order rules are read: maptrail's, then each baseline
	source TEXT NOT NULL,		-- 'runtimes.rules' (maptrail's) or the baseline's path
	line INTEGER NOT NULL,		-- its line in source
	text TEXT NOT NULL,		-- the line as written
	exe_glob TEXT NOT NULL,		-- the executable's path, a GLOB pattern
	severity TEXT NOT NULL,		-- the most a matching finding keeps: high, medium, low, info
	severity_rank INTEGER NOT NULL,
	detections TEXT NOT NULL	-- '*' or the detections it applies to, comma-separated
);
-- Each finding's time (its first call) in UTC: utc_ns since 1970, and utc in
-- ISO 8601 with nanoseconds ('2026-12-07T16:20:01.123456789Z'); the same of its
-- last call (last_ts) as last_utc_ns and last_utc; NULL when the capture has no
-- wall clock (capture.utc_source).
CREATE VIEW IF NOT EXISTS finding_utc AS
	SELECT finding_id, capture_id, ts, utc_ns,
	       strftime('%Y-%m-%dT%H:%M:%S', utc_ns / 1000000000, 'unixepoch') ||
	       printf('.%09dZ', utc_ns % 1000000000) AS utc,
	       last_ts, last_utc_ns,
	       strftime('%Y-%m-%dT%H:%M:%S', last_utc_ns / 1000000000, 'unixepoch') ||
	       printf('.%09dZ', last_utc_ns % 1000000000) AS last_utc
	FROM (SELECT f.id AS finding_id, f.capture_id, f.ts, f.last_ts,
		     f.ts + c.utc_offset + CAST((f.ts - c.utc_offset_ts) * c.utc_drift AS INTEGER)
		     AS utc_ns,
		     f.last_ts + c.utc_offset +
		     CAST((f.last_ts - c.utc_offset_ts) * c.utc_drift AS INTEGER) AS last_utc_ns
	      FROM findings AS f LEFT JOIN capture AS c ON c.id = f.capture_id);

-- Every memory call's entry (ts) in UTC, as finding_utc.
CREATE VIEW IF NOT EXISTS memory_call_utc AS
	SELECT call, id, capture_id, ts, utc_ns,
	       strftime('%Y-%m-%dT%H:%M:%S', utc_ns / 1000000000, 'unixepoch') ||
	       printf('.%09dZ', utc_ns % 1000000000) AS utc
	FROM (SELECT m.call, m.id, m.capture_id, m.ts,
		     m.ts + c.utc_offset + CAST((m.ts - c.utc_offset_ts) * c.utc_drift AS INTEGER)
		     AS utc_ns
	      FROM memory_call AS m LEFT JOIN capture AS c ON c.id = m.capture_id);

-- A protection as ls -l would show it ('rw-', 'r-x'): for summaries and the sqlite3 shell.
-- (SELECT rwx FROM prot_rwx WHERE prot = x & 7) is NULL when x is: unknown.  A table of
-- eight rows, not a view: the detections look it up for every call they return.
CREATE TABLE IF NOT EXISTS prot_rwx (
	prot INTEGER PRIMARY KEY,
	rwx TEXT NOT NULL
);
INSERT OR IGNORE INTO prot_rwx VALUES (0, '---'), (1, 'r--'), (2, '-w-'), (3, 'rw-'),
	(4, '--x'), (5, 'r-x'), (6, '-wx'), (7, 'rwx');

-- What each process did to its address space, counted during the load: the
-- calls of the call tables by coalesce(pid, tid) (the thread when the capture
-- does not show the process).
CREATE TABLE IF NOT EXISTS process (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	pid INTEGER NOT NULL,
	comm TEXT,			-- the newest name of the process's thread pid
	calls INTEGER NOT NULL,
	failures INTEGER NOT NULL,	-- calls that returned an error
	bytes_mapped INTEGER NOT NULL,	-- by successful mmap/mmap2
	exec_bytes INTEGER NOT NULL,	-- mapped or made executable (mmap/mmap2/mprotect/pkey_mprotect, PROT_EXEC)
	first_ts INTEGER,
	last_ts INTEGER,
	calls_by_table TEXT NOT NULL,	-- JSON: {"mmap": 12, "mprotect": 3}
	PRIMARY KEY (capture_id, pid)
);

-- maptrail record's probe plan as rows (common/plan-rows.h), in the order
-- the plan's prose (capture.recorder_plan) tells them: what it decided for each
-- event, each hook the specification documents and each source, on the
-- recording kernel, used or not and why.  Captures of an older recorder have
-- the prose only.  used and available are 1 or 0.
CREATE TABLE IF NOT EXISTS capture_plan (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	seq INTEGER NOT NULL,		-- the row's place in the plan, from 1
	kind TEXT NOT NULL,		-- plan, event, hook, source, context
	event TEXT,			-- event, hook, source: the schema event ('mremap')
	backend TEXT,			-- plan: asked for; event: chosen, NULL: not recorded; source: its own
	used INTEGER,			-- event: recorded; source, context: enabled
	available INTEGER,		-- source: the kernel offers it; plan: it has kprobe_events
	reason TEXT,			-- event: why recorded otherwise than asked, or not at all; source: why not used
	arch TEXT,			-- plan: the kernel's machine; source: the schema's ('any', 'x86_64')
	abi TEXT,			-- source: 'native', 'i386'
	release TEXT,			-- plan: the kernel release
	hook TEXT,			-- hook: the function the specification documents
	hook_kind TEXT,			-- hook: 'kprobe+kretprobe'
	status TEXT,			-- hook: what it is on Linux ('renamed', 'never existed')
	symbol TEXT,			-- hook: the function that stands for it; kprobe source: the one probed
	found TEXT,			-- of symbol: 'available_filter_functions', 'kallsyms', NULL: in neither
	enter TEXT,			-- source: 'syscalls:sys_enter_mremap'; context: the event
	exit TEXT,			-- source: 'maptrail:mremap_x64_ret'
	fields TEXT,			-- source: the entry's fields, blank-separated
	ret TEXT,			-- source: the exit's return field
	probes TEXT,			-- kprobe source: its kprobe_events lines, entry then return
	PRIMARY KEY (capture_id, seq)
);

-- A flight recorder's dump (maptrail record --flight, README "Flight
-- recorder"): why it was written and what it covers.  Timestamps are the
-- capture's ts.  The window begins where the ring buffer's overwrite left it:
-- the events overwritten before it are counted here, not as lost.
CREATE TABLE IF NOT EXISTS flight (
	capture_id INTEGER PRIMARY KEY REFERENCES capture(id),
	dump INTEGER,			-- this was the recorder's dump number dump ...
	keep INTEGER,			-- ... of at most keep (--keep)
	reason TEXT NOT NULL,		-- trigger, usr1, sigint, sigterm, sighup, duration, exit
	dumped_at TEXT,			-- UTC, ISO 8601
	trigger TEXT,			-- the trigger that fired ('wx'), NULL: no trigger did
	trigger_spec TEXT,		-- as given to --trigger
	trigger_event TEXT,		-- the event it fired on: 'syscalls/sys_enter_mprotect'
	trigger_filter TEXT,		-- its tracefs filter, '' for every call
	trigger_ts INTEGER,		-- the triggering call's entry (the calls' ts)
	trigger_cpu INTEGER,
	trigger_tid INTEGER,		-- the thread that made it
	trigger_comm TEXT,
	window_start INTEGER,		-- oldest event kept, any CPU
	window_complete INTEGER,	-- from here to window_end every CPU's events are all there
	window_end INTEGER,		-- last event (after the trigger with --after)
	window_events INTEGER,
	overwritten INTEGER,		-- events the overwrite dropped before the window
	after_seconds REAL,		-- recorded after the trigger (--after)
	buffer_kb INTEGER,		-- ring buffer per CPU
	armed_seconds REAL,		-- armed until frozen
	armed_cpu_seconds REAL,		-- the recorder's CPU time while armed
	armed TEXT			-- the triggers armed: "system/event command" per line
);

-- The call that froze a flight capture: its row in memory_call.  CROSS JOIN:
-- the flight row (at most one a capture) leads, so memory_call is read only
-- when there is one; left to itself the planner may read every call first.
CREATE VIEW IF NOT EXISTS flight_call AS
	SELECT f.capture_id, m.call, m.id AS call_id, m.ts, m.pid, m.tid, m.comm, m.addr, m.len,
	       m.prot, m.flags, m.ret, m.errno, f.trigger
	  FROM flight AS f
	  CROSS JOIN memory_call AS m ON m.capture_id = f.capture_id AND m.ts = f.trigger_ts
	   AND m.tid = f.trigger_tid;

-- The findings the triggering call is evidence of.  CROSS JOIN, for the same
-- reason: started from finding_evidence (no index on call, call_id), it took
-- 1.4-1.7 s on 300,000 evidence rows with an empty flight table.
CREATE VIEW IF NOT EXISTS flight_finding AS
	SELECT c.capture_id, c.call, c.call_id, c.trigger, fi.id AS finding_id, fi.detection,
	       fi.severity, fi.summary
	  FROM flight_call AS c
	  CROSS JOIN finding_evidence AS e ON e.call = c.call AND e.call_id = c.call_id
	  JOIN findings AS fi ON fi.id = e.finding_id;

-- Identity (README "Identity"): what maptrail's recorder wrote into its
-- trace_marker about the processes it covered.  Empty for captures without
-- those records (older maptrail, trace-cmd): what depends on them is NULL.

-- One row per process record (maptrail:proc): at the start, at -p attach, at
-- an exec of a followed process, when a new process is first seen.
CREATE TABLE IF NOT EXISTS process_snapshot (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	ts INTEGER NOT NULL,		-- when the recorder wrote it (trace clock)
	event_id INTEGER,		-- its ftrace__print row
	tgid INTEGER NOT NULL,
	ppid INTEGER,
	uid INTEGER,
	start_ticks INTEGER,		-- field 22 of /proc/PID/stat: with tgid, names the process
	comm TEXT,
	exe TEXT,			-- readlink /proc/PID/exe (may end in ' (deleted)'); NULL: unreadable
	cmdline TEXT,			-- arguments joined by spaces; NULL: none recorded
	reason TEXT,			-- start, attach, exec, new
	maps INTEGER NOT NULL,		-- snapshot_map rows of this snapshot
	maps_declared INTEGER,		-- what its mapsend record counted; NULL: none came
	fds INTEGER NOT NULL		-- snapshot_fd rows of this snapshot
);
CREATE INDEX IF NOT EXISTS process_snapshot_tgid ON process_snapshot (capture_id, tgid, ts);

-- The threads of a snapshotted process (record -p: they belong to it).
CREATE TABLE IF NOT EXISTS snapshot_thread (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	ts INTEGER NOT NULL,
	tgid INTEGER NOT NULL,
	tid INTEGER NOT NULL
);

-- /proc/PID/maps as the snapshot saw it, one row per line.
CREATE TABLE IF NOT EXISTS snapshot_map (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	ts INTEGER NOT NULL,
	tgid INTEGER NOT NULL,
	start_addr INTEGER NOT NULL,
	end_addr INTEGER NOT NULL,
	perms TEXT NOT NULL,		-- as in maps: rwxp / rw-s
	prot INTEGER NOT NULL,		-- PROT_* of perms
	map_flags INTEGER NOT NULL,	-- MAP_PRIVATE or MAP_SHARED, | MAP_ANONYMOUS when no file
	offset INTEGER NOT NULL,	-- bytes
	dev TEXT,
	inode INTEGER,
	path TEXT,			-- NULL: anonymous
	file_id INTEGER			-- its vma_file row
);
CREATE INDEX IF NOT EXISTS snapshot_map_tgid ON snapshot_map (capture_id, tgid, start_addr);

-- The open descriptors a snapshot saw (readlink /proc/PID/fd/N).
CREATE TABLE IF NOT EXISTS snapshot_fd (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	ts INTEGER NOT NULL,
	tgid INTEGER NOT NULL,
	fd INTEGER NOT NULL,
	path TEXT
);

-- What the recorder found behind an mmap of a descriptor it read from the
-- ring buffer (maptrail:file): how 'maps' (the range in /proc/PID/maps),
-- 'fd' (/proc/PID/fd/N) or 'gone' (too late: path '', never a guess).
CREATE TABLE IF NOT EXISTS mmap_file (
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	ts INTEGER NOT NULL,
	tgid INTEGER NOT NULL,
	tid INTEGER,
	addr INTEGER NOT NULL,		-- the mmap's return
	len INTEGER,
	fd INTEGER,
	path TEXT,
	how TEXT
);
CREATE INDEX IF NOT EXISTS mmap_file_addr ON mmap_file (capture_id, addr);

-- Each descriptor's life in a process (analyze/fds.h): from the call that
-- made it (or the fork that copied it, or the snapshot that saw it) to the
-- call, exec or exit that closed it.
CREATE TABLE IF NOT EXISTS fd_history (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	pid INTEGER NOT NULL,		-- process (tgid; the thread when the capture does not show it)
	fd INTEGER NOT NULL,
	tid INTEGER,			-- the thread whose call made it
	cause TEXT NOT NULL,		-- the call table (openat, memfd_create, dup2, ...), 'fork', 'snapshot'
	cause_id INTEGER,		-- that call's row (fork: the fork event; snapshot: the print event)
	ts_from INTEGER NOT NULL,
	ts_to INTEGER,			-- NULL: open when the capture ended
	end_cause TEXT,			-- close, close_range, dup2, dup3, exec, exit, ...
	end_cause_id INTEGER,
	origin_id INTEGER,		-- the fd_history row it was copied from (dup*, fcntl, fork)
	opened_id INTEGER,		-- the fd_history row of the call that opened its file; NULL: unknown
	kind TEXT,			-- 'file' (open*, creat), 'memfd'; NULL: unknown
	path TEXT,			-- when known: the snapshot's, or the call's string argument
	path_source TEXT,		-- 'snapshot' (/proc/PID/fd), 'call' (the string a kprobe fetched)
	cloexec INTEGER			-- close-on-exec: 0, 1; NULL: unknown
);
CREATE INDEX IF NOT EXISTS fd_history_pid ON fd_history (capture_id, pid, fd);

-- What a mapping maps: one row per mmap of a descriptor, and one per range a
-- snapshot saw with a path.  vma_history.file_id points here.
CREATE TABLE IF NOT EXISTS vma_file (
	id INTEGER PRIMARY KEY,
	capture_id INTEGER NOT NULL REFERENCES capture(id),
	pid INTEGER NOT NULL,
	ts INTEGER NOT NULL,
	addr INTEGER NOT NULL,		-- where it was mapped
	len INTEGER,
	fd INTEGER,			-- the descriptor mmap was given; NULL: snapshot
	map_call TEXT NOT NULL,		-- mmap, mmap2, snapshot
	map_call_id INTEGER,		-- that call's row (snapshot: the print event)
	fd_id INTEGER,			-- the descriptor's life: fd_history(id); NULL: never seen made
	opened_id INTEGER,		-- the life of the call that opened the file: fd_history(id)
	fd_kind TEXT,			-- that life's kind: 'file', 'memfd'
	path TEXT,			-- NULL: unknown
	path_source TEXT,		-- 'fd call' (the opening call's fetched string: an absolute path
					-- or a memfd's name, first), 'recorder maps', 'recorder fd',
					-- 'recorder gone', 'fd snapshot', 'snapshot' (fds.c: fdt_resolve)
	memfd INTEGER,			-- 1: a memfd (memfd_create, or /memfd:NAME)
	deleted INTEGER,		-- 1: the file was deleted (' (deleted)'), memfds aside
	place TEXT			-- a world-writable or tmpfs directory it is under: '/dev/shm',
					-- '/tmp', '/var/tmp', '/run/user', '/run/shm', '/dev/mqueue'
);
-- The mappings of one opened file: execveat-memfd looks them up per execveat; and the
-- mappings at one address of a process in time order: fdt_resolve (analyze/fds.c) looks
-- for one between a mapping and a recorder's record, per pair.  Without them a process
-- mapping a file at the same address 759 times cost 14 s (a scan per pair: cubic).
CREATE INDEX IF NOT EXISTS vma_file_opened ON vma_file (opened_id) WHERE opened_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS vma_file_addr ON vma_file (capture_id, pid, addr, ts);

-- vma_history with the file behind each range.
CREATE VIEW IF NOT EXISTS vma_history_file AS
	SELECT h.*, f.path, f.path_source, f.memfd, f.deleted, f.place, f.fd_id, f.opened_id,
	       o.cause AS opened_by, o.cause_id AS opened_by_id
	  FROM vma_history AS h
	  LEFT JOIN vma_file AS f ON f.id = h.file_id
	  LEFT JOIN fd_history AS o ON o.id = f.opened_id;

-- Every time a file's pages became executable in a process -- mapped so,
-- made so by mprotect from not executable, or seen so by a snapshot -- one
-- row per call and file, with who did it and the file behind it, for the
-- file detections (queries/exec-memfd.sql, exec-deleted.sql,
-- exec-writable-place.sql).  Its WHERE keeps the terms of the partial index
-- vma_history_exec_file (analyze/history-table.c), word for word.
CREATE VIEW IF NOT EXISTS exec_file_change AS
WITH x AS (
	SELECT h.capture_id, h.pid, h.cause, h.cause_id, h.change, h.file_id,
	       min(h.ts_from) AS ts, min(h.start_addr) AS addr,
	       max(h.end_addr) - min(h.start_addr) AS len, h.prot, h.map_flags
	  FROM vma_history AS h
	 WHERE h.file_id IS NOT NULL AND (h.prot & 4) != 0
	   AND (h.change IN ('mapped', 'snapshot')
	        OR (h.change = 'protected' AND coalesce(h.prior_prot & 4, 0) = 0))
	 GROUP BY h.capture_id, h.cause, h.cause_id, h.file_id
)
SELECT x.*, f.path, f.path_source, f.memfd, f.deleted, f.place, f.fd, f.opened_id,
       o.cause AS opened_by, o.cause_id AS opened_by_id,
       coalesce(a.tid, b.tid, c.tid, d.tid) AS tid,
       coalesce(a.comm, b.comm, c.comm, d.comm, p.comm) AS comm, p.exe, p.cmdline,
       printf('%s 0x%x-0x%x %s of %s (%s%s%s) in pid %d%s%s',
              CASE x.change WHEN 'snapshot' THEN 'the snapshot saw'
                            WHEN 'protected' THEN x.cause || ' made'
                            ELSE x.cause || ' mapped' END,
              x.addr, x.addr + x.len, (SELECT rwx FROM prot_rwx WHERE prot = x.prot & 7),
              coalesce(f.path, printf('an unnamed file (fd %d)', f.fd)),
              CASE WHEN x.map_flags & 1 THEN 'shared' ELSE 'private' END,
              CASE WHEN f.path IS NOT NULL THEN ', name from ' || f.path_source ELSE '' END,
              CASE WHEN o.cause IS NOT NULL
                   THEN printf(', fd made by %s #%d', o.cause, o.cause_id) ELSE '' END,
              x.pid,
              CASE WHEN p.exe IS NOT NULL THEN ' ' || p.exe ELSE '' END,
              CASE WHEN p.cmdline IS NULL THEN ''
                   WHEN length(p.cmdline) > 160 THEN ' [' || substr(p.cmdline, 1, 160) || '...]'
                   ELSE ' [' || p.cmdline || ']' END) AS what
  FROM x
  JOIN vma_file AS f ON f.id = x.file_id
  LEFT JOIN fd_history AS o ON o.id = f.opened_id
  LEFT JOIN mmap AS a ON x.cause = 'mmap' AND a.id = x.cause_id
  LEFT JOIN mmap2 AS b ON x.cause = 'mmap2' AND b.id = x.cause_id
  LEFT JOIN mprotect AS c ON x.cause = 'mprotect' AND c.id = x.cause_id
  LEFT JOIN pkey_mprotect AS d ON x.cause = 'pkey_mprotect' AND d.id = x.cause_id
  -- x.pid + 0: without the column's INTEGER affinity the comparison can use the automatic
  -- index SQLite builds on (capture_id, pid); with it only capture_id is indexed and every
  -- change scans every process of the capture (2 s CPU on a 50,000-call system capture)
  LEFT JOIN process_context AS p ON p.capture_id = x.capture_id AND p.pid = x.pid + 0;
