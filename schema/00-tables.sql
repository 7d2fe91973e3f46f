-- maptrail's argument schema: the tables.  The other schema/*.sql files hold
-- rows only; they are loaded in name order into every database analyze writes
-- and into the in-memory database record plans from.  Adding an event, a flag
-- name or an errno is adding rows; a user can add a file with --schema FILE.
--
-- Names: events are the system call names (mremap, mmap2, ...); arguments
-- keep the seed pages' names where a page exists (shared/seeds/), the
-- kernel's parameter names otherwise.

-- An event maptrail knows: one system call.
CREATE TABLE IF NOT EXISTS schema_event (
	name TEXT PRIMARY KEY,		-- "mremap"; also the name of its call table
	description TEXT NOT NULL,
	seed_page TEXT,			-- the seed page its arguments come from, NULL: kernel names
	ret_type TEXT NOT NULL,		-- C type of the return value ("void *", "int", "unsigned long")
	ret_decode TEXT,		-- how to show a successful return: 'hex' for addresses, NULL
	-- 'memory': a mapping call (memory_call, the address-space history, the report's
	-- charts); 'identity': what names files, descriptors and tracers (60-identity.sql)
	family TEXT NOT NULL DEFAULT 'memory'
);

-- The arguments of an event, in order.
CREATE TABLE IF NOT EXISTS schema_arg (
	event TEXT NOT NULL REFERENCES schema_event(name),
	position INTEGER NOT NULL,	-- 0-based, the system call's argument order
	name TEXT NOT NULL,		-- column name in the call table (seed name)
	c_type TEXT NOT NULL,		-- as the seed page gives it
	tags TEXT NOT NULL,		-- seed tags, comma-separated: K, U, TOCTOU, OPT
	description TEXT NOT NULL,
	decode TEXT,			-- a schema_flag kind ('prot', 'mmap_flags', ...), 'hex', or NULL
	PRIMARY KEY (event, position)
);

-- Where the arguments come from: each event has at least a tracepoint source
-- and, where the kernel has kprobes, kprobe sources (one per ABI entry point).
-- A capture's events are matched to sources by system and event name.
CREATE TABLE IF NOT EXISTS schema_source (
	event TEXT NOT NULL REFERENCES schema_event(name),
	backend TEXT NOT NULL,		-- 'tracepoint' or 'kprobe'
	arch TEXT NOT NULL,		-- 'any' (tracepoints), 'x86_64', 'aarch64'
	abi TEXT NOT NULL,		-- ABI of the caller this source sees: 'native', 'i386', 'arm32'
	enter_system TEXT NOT NULL,	-- 'syscalls' or 'maptrail'
	enter_event TEXT NOT NULL,	-- 'sys_enter_mremap' or 'mremap_x64'
	exit_system TEXT NOT NULL,
	exit_event TEXT NOT NULL,	-- 'sys_exit_mremap' or 'mremap_x64_ret'
	ret_field TEXT NOT NULL,	-- field of the exit event holding the return value
	symbol TEXT,			-- kprobe: the kernel function probed ('__x64_sys_mremap')
	PRIMARY KEY (event, backend, arch, abi)
);

-- How each source reads each argument.  For a tracepoint, the field name in
-- the kernel's format; for a kprobe, the fetch argument (man: kprobetrace.rst)
-- that reads it from the pt_regs the __<abi>_sys_* wrapper receives.  The
-- kprobe field is named after the argument (schema_arg.name).
CREATE TABLE IF NOT EXISTS schema_arg_source (
	event TEXT NOT NULL,
	backend TEXT NOT NULL,
	arch TEXT NOT NULL,
	abi TEXT NOT NULL,
	position INTEGER NOT NULL,
	field TEXT NOT NULL,		-- tracepoint field ('addr') or kprobe field (= arg name)
	fetch TEXT,			-- kprobe only: '+0x70(%di):u64'
	PRIMARY KEY (event, backend, arch, abi, position),
	FOREIGN KEY (event, backend, arch, abi) REFERENCES schema_source(event, backend, arch, abi),
	FOREIGN KEY (event, position) REFERENCES schema_arg(event, position)
);

-- The hooks the seed pages document, and what each really is on Linux.
CREATE TABLE IF NOT EXISTS schema_hook (
	event TEXT NOT NULL REFERENCES schema_event(name),
	documented TEXT NOT NULL,	-- the name on the page ('sys_mremap')
	kind TEXT NOT NULL,		-- as the page says: 'kprobe', 'kprobe+kretprobe'
	purpose TEXT,			-- the page's words
	status TEXT NOT NULL,		-- 'renamed', 'exists', 'recent kernels only', 'removed', 'never existed', 'other architecture'
	linux_symbol TEXT,		-- what to probe instead, or NULL
	kernels TEXT,			-- which kernels have linux_symbol
	note TEXT NOT NULL,		-- why, in one sentence
	PRIMARY KEY (event, documented)
);

-- Names of flag bits and enumerated values, for decoding.  A value matches
-- when (x & mask) = value; for single bits mask = value.  value 0 with a
-- non-zero mask names the empty enumeration (MAP_FILE is not listed: it is 0).
CREATE TABLE IF NOT EXISTS schema_flag (
	kind TEXT NOT NULL,		-- 'prot', 'mmap_flags', 'mremap_flags', 'pkey_access', ...
	name TEXT NOT NULL,
	value INTEGER NOT NULL,
	mask INTEGER NOT NULL,
	PRIMARY KEY (kind, name)
);

-- errno values (x86_64/aarch64 Linux numbering, asm-generic).
CREATE TABLE IF NOT EXISTS schema_errno (
	number INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	description TEXT NOT NULL
);
