-- maptrail schema rows: the identity events (issue 13).  They are not memory
-- mapping calls: they say which file a descriptor stands for (open, openat,
-- openat2, creat, memfd_create, and dup, dup2, dup3, fcntl F_DUPFD*, close,
-- close_range that copy and drop descriptors), which program a descriptor
-- started (execveat, fexecve), and who writes into another process (ptrace,
-- process_vm_writev).  With them, analyze keeps a table of descriptors per
-- process, so an mmap of fd 3 points at the call that made fd 3.
--
-- No seed page documents them: names and types are the kernel's
-- SYSCALL_DEFINE parameters, which the syscalls:sys_enter_* tracepoints show
-- (checked against this machine's 6.18 x86_64 formats, as in 20-sources.sql).
-- Tags: descriptors, flags, modes, pids and counts are plain values (K);
-- pointers into the caller's memory (file names, struct open_how, iovecs,
-- argv) are U.  A syscall tracepoint holds the pointer, not the string it
-- points at: on a kernel without kprobes (this machine) the file behind a
-- descriptor comes from /proc, which the recorder reads as it sees an mmap
-- of the descriptor (the maptrail:file records, see README).
--
-- Where kprobes exist, the calls that name a file (open, openat, openat2,
-- creat, memfd_create) have kprobe sources below that fetch the path (the
-- memfd's name) itself, as the string the pointer points at: the call table
-- then holds that string (TEXT) where a tracepoint capture holds the pointer
-- (INTEGER), and the descriptor's life (fd_history) and every mapping of it
-- (vma_file) are named by it (path_source 'call', 'fd call').  The other
-- identity calls have tracepoint sources only: their arguments are numbers.

INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('open', 'open and possibly create a file', NULL, 'int', NULL),
	('openat', 'open a file relative to a directory file descriptor', NULL, 'int', NULL),
	('openat2', 'open a file with extended resolution controls (struct open_how)', NULL, 'int', NULL),
	('creat', 'create a file (open with O_CREAT|O_WRONLY|O_TRUNC)', NULL, 'int', NULL),
	('memfd_create', 'create an anonymous file that lives in memory', NULL, 'int', NULL),
	('dup', 'duplicate a file descriptor', NULL, 'int', NULL),
	('dup2', 'duplicate a file descriptor onto a chosen number', NULL, 'int', NULL),
	('dup3', 'duplicate a file descriptor onto a chosen number, with flags', NULL, 'int', NULL),
	('fcntl', 'manipulate a file descriptor (F_DUPFD and F_DUPFD_CLOEXEC make new ones)', NULL, 'long', NULL),
	('close', 'close a file descriptor', NULL, 'int', NULL),
	('close_range', 'close or mark close-on-exec every descriptor of a range', NULL, 'int', NULL),
	('execveat', 'execute the program a directory descriptor and path (or, with AT_EMPTY_PATH, a descriptor) name', NULL, 'int', NULL),
	('ptrace', 'process trace: attach to, read and write another process', NULL, 'long', NULL),
	('process_vm_writev', 'write into another process''s memory', NULL, 'ssize_t', NULL);

INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('open', 0, 'filename', 'const char *', 'U', 'Path of the file (a pointer into the caller''s memory).', 'hex'),
	('open', 1, 'flags', 'int', 'K', 'Access mode and open flags.', 'open_flags'),
	('open', 2, 'mode', 'umode_t', 'K', 'Permissions of a created file.', NULL),

	('openat', 0, 'dfd', 'int', 'K', 'Directory descriptor a relative path starts from; AT_FDCWD (-100) is the working directory.', NULL),
	('openat', 1, 'filename', 'const char *', 'U', 'Path of the file (a pointer into the caller''s memory).', 'hex'),
	('openat', 2, 'flags', 'int', 'K', 'Access mode and open flags.', 'open_flags'),
	('openat', 3, 'mode', 'umode_t', 'K', 'Permissions of a created file.', NULL),

	('openat2', 0, 'dfd', 'int', 'K', 'Directory descriptor a relative path starts from; AT_FDCWD (-100) is the working directory.', NULL),
	('openat2', 1, 'filename', 'const char *', 'U', 'Path of the file (a pointer into the caller''s memory).', 'hex'),
	('openat2', 2, 'how', 'struct open_how *', 'U', 'Flags, mode and resolve rules (a pointer into the caller''s memory).', 'hex'),
	('openat2', 3, 'usize', 'size_t', 'K', 'Size of struct open_how.', NULL),

	('creat', 0, 'pathname', 'const char *', 'U', 'Path of the file (a pointer into the caller''s memory).', 'hex'),
	('creat', 1, 'mode', 'umode_t', 'K', 'Permissions of the created file.', NULL),

	('memfd_create', 0, 'uname', 'const char *', 'U', 'Name of the file, shown as /memfd:NAME (a pointer into the caller''s memory).', 'hex'),
	('memfd_create', 1, 'flags', 'unsigned int', 'K', 'MFD_* flags.', 'memfd_flags'),

	('dup', 0, 'fildes', 'unsigned int', 'K', 'Descriptor to duplicate.', NULL),

	('dup2', 0, 'oldfd', 'unsigned int', 'K', 'Descriptor to duplicate.', NULL),
	('dup2', 1, 'newfd', 'unsigned int', 'K', 'Number the copy gets (closed first if open).', NULL),

	('dup3', 0, 'oldfd', 'unsigned int', 'K', 'Descriptor to duplicate.', NULL),
	('dup3', 1, 'newfd', 'unsigned int', 'K', 'Number the copy gets (closed first if open).', NULL),
	('dup3', 2, 'flags', 'int', 'K', 'O_CLOEXEC or 0.', 'cloexec_flags'),

	('fcntl', 0, 'fd', 'unsigned int', 'K', 'Descriptor operated on.', NULL),
	('fcntl', 1, 'cmd', 'unsigned int', 'K', 'Operation (F_DUPFD, F_SETFD, ...).', 'fcntl_cmd'),
	('fcntl', 2, 'arg', 'unsigned long', 'K', 'Argument of the operation: for F_DUPFD*, the lowest number the copy may get.', NULL),

	('close', 0, 'fd', 'unsigned int', 'K', 'Descriptor to close.', NULL),

	('close_range', 0, 'fd', 'unsigned int', 'K', 'First descriptor of the range.', NULL),
	('close_range', 1, 'max_fd', 'unsigned int', 'K', 'Last descriptor of the range (~0U: all).', NULL),
	('close_range', 2, 'flags', 'unsigned int', 'K', 'CLOSE_RANGE_* flags.', 'close_range_flags'),

	('execveat', 0, 'fd', 'int', 'K', 'Directory descriptor, or with AT_EMPTY_PATH and an empty path the program itself (fexecve).', NULL),
	('execveat', 1, 'filename', 'const char *', 'U', 'Path of the program (a pointer into the caller''s memory).', 'hex'),
	('execveat', 2, 'argv', 'const char *const *', 'U', 'Arguments (a pointer into the caller''s memory).', 'hex'),
	('execveat', 3, 'envp', 'const char *const *', 'U', 'Environment (a pointer into the caller''s memory).', 'hex'),
	('execveat', 4, 'flags', 'int', 'K', 'AT_* flags.', 'at_flags'),

	('ptrace', 0, 'request', 'long', 'K', 'What to do (PTRACE_ATTACH, PTRACE_POKEDATA, ...).', 'ptrace_request'),
	('ptrace', 1, 'target', 'long', 'K', 'The traced process (a thread id; the tracepoint''s field pid).', NULL),
	('ptrace', 2, 'addr', 'unsigned long', 'K', 'Address in the traced process, for PEEK and POKE requests.', 'hex'),
	('ptrace', 3, 'data', 'unsigned long', 'K', 'The word to write, or where to store what is read.', 'hex'),

	('process_vm_writev', 0, 'target', 'pid_t', 'K', 'The process written into (the tracepoint''s field pid).', NULL),
	('process_vm_writev', 1, 'lvec', 'const struct iovec *', 'U', 'Local buffers (a pointer into the caller''s memory).', 'hex'),
	('process_vm_writev', 2, 'liovcnt', 'unsigned long', 'K', 'Number of local buffers.', NULL),
	('process_vm_writev', 3, 'rvec', 'const struct iovec *', 'U', 'Remote ranges (a pointer into the caller''s memory).', 'hex'),
	('process_vm_writev', 4, 'riovcnt', 'unsigned long', 'K', 'Number of remote ranges.', NULL),
	('process_vm_writev', 5, 'flags', 'unsigned long', 'K', 'Must be 0.', NULL);

UPDATE schema_event SET family = 'identity' WHERE name IN ('open', 'openat', 'openat2',
	'creat', 'memfd_create', 'dup', 'dup2', 'dup3', 'fcntl', 'close', 'close_range',
	'execveat', 'ptrace', 'process_vm_writev');

-- Tracepoint sources: the argument names above are the tracepoint fields,
-- except the target of ptrace and process_vm_writev, the field pid, which
-- would clash with the call tables' own pid column.
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol)
	SELECT name, 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_' || name, 'syscalls',
	       'sys_exit_' || name, 'ret', NULL
	FROM schema_event WHERE name IN ('open', 'openat', 'openat2', 'creat', 'memfd_create',
		'dup', 'dup2', 'dup3', 'fcntl', 'close', 'close_range', 'execveat', 'ptrace',
		'process_vm_writev');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch)
	SELECT event, 'tracepoint', 'any', 'native', position,
	       CASE name WHEN 'target' THEN 'pid' ELSE name END, NULL FROM schema_arg
	WHERE event IN ('open', 'openat', 'openat2', 'creat', 'memfd_create', 'dup', 'dup2',
		'dup3', 'fcntl', 'close', 'close_range', 'execveat', 'ptrace', 'process_vm_writev');

-- Kprobe sources, x86_64 native ABI: __x64_sys_<call>, whose pt_regs * is
-- in %di (di, si, dx, r10 at 0x70, 0x68, 0x60, 0x38: see 20-sources.sql).
-- The path is '+u0(<the pointer>):string': a user-space dereference read
-- as a string (strncpy_from_user_nofault at the call's entry), which
-- kprobetrace.rst gives as equivalent to '+0(<the pointer>):ustring'; both
-- came in Linux 5.5, and the plan takes these sources only where the
-- kernel's tracefs README lists +u<offset> (kprobe_user_fetch), else the
-- tracepoints.  A page the process has not touched yet cannot be read from
-- a kprobe (no page fault there): the field then holds no bytes at all and
-- the call table NULL, never a guess.  The numbers follow the prototypes as
-- in 20-sources.sql: int as :s32 (AT_FDCWD reads -100), unsigned int :u32,
-- umode_t :u16, pointers and size_t :u64.
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('open', 'kprobe', 'x86_64', 'native', 'maptrail', 'open_x64', 'maptrail', 'open_x64_ret', 'ret', '__x64_sys_open'),
	('openat', 'kprobe', 'x86_64', 'native', 'maptrail', 'openat_x64', 'maptrail', 'openat_x64_ret', 'ret', '__x64_sys_openat'),
	('openat2', 'kprobe', 'x86_64', 'native', 'maptrail', 'openat2_x64', 'maptrail', 'openat2_x64_ret', 'ret', '__x64_sys_openat2'),
	('creat', 'kprobe', 'x86_64', 'native', 'maptrail', 'creat_x64', 'maptrail', 'creat_x64_ret', 'ret', '__x64_sys_creat'),
	('memfd_create', 'kprobe', 'x86_64', 'native', 'maptrail', 'memfd_create_x64', 'maptrail', 'memfd_create_x64_ret', 'ret', '__x64_sys_memfd_create');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	-- open(const char *filename, int flags, umode_t mode)
	('open', 'kprobe', 'x86_64', 'native', 0, 'filename', '+u0(+0x70(%di)):string'),
	('open', 'kprobe', 'x86_64', 'native', 1, 'flags', '+0x68(%di):s32'),
	('open', 'kprobe', 'x86_64', 'native', 2, 'mode', '+0x60(%di):u16'),
	-- openat(int dfd, const char *filename, int flags, umode_t mode)
	('openat', 'kprobe', 'x86_64', 'native', 0, 'dfd', '+0x70(%di):s32'),
	('openat', 'kprobe', 'x86_64', 'native', 1, 'filename', '+u0(+0x68(%di)):string'),
	('openat', 'kprobe', 'x86_64', 'native', 2, 'flags', '+0x60(%di):s32'),
	('openat', 'kprobe', 'x86_64', 'native', 3, 'mode', '+0x38(%di):u16'),
	-- openat2(int dfd, const char *filename, struct open_how *how, size_t usize)
	('openat2', 'kprobe', 'x86_64', 'native', 0, 'dfd', '+0x70(%di):s32'),
	('openat2', 'kprobe', 'x86_64', 'native', 1, 'filename', '+u0(+0x68(%di)):string'),
	('openat2', 'kprobe', 'x86_64', 'native', 2, 'how', '+0x60(%di):u64'),
	('openat2', 'kprobe', 'x86_64', 'native', 3, 'usize', '+0x38(%di):u64'),
	-- creat(const char *pathname, umode_t mode)
	('creat', 'kprobe', 'x86_64', 'native', 0, 'pathname', '+u0(+0x70(%di)):string'),
	('creat', 'kprobe', 'x86_64', 'native', 1, 'mode', '+0x68(%di):u16'),
	-- memfd_create(const char *uname, unsigned int flags)
	('memfd_create', 'kprobe', 'x86_64', 'native', 0, 'uname', '+u0(+0x70(%di)):string'),
	('memfd_create', 'kprobe', 'x86_64', 'native', 1, 'flags', '+0x68(%di):u32');

-- Hooks: no page documents them; each gets its natural sys_<call> name.
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note)
	SELECT name, 'sys_' || name, 'kprobe+kretprobe', NULL, 'renamed', '__x64_sys_' || name,
	       '4.17+ (x86_64)',
	       'The natural hook sys_' || name || ' is __x64_sys_' || name ||
	       ' on x86_64 since 4.17.  maptrail reads ' || name ||
	       CASE WHEN name IN ('open', 'openat', 'openat2', 'creat', 'memfd_create')
	            THEN ' there (its path as a string) where kprobes and user-memory fetches exist,'
	                 || ' else through its syscall tracepoints (the path''s address only).'
	            ELSE ' through its syscall tracepoints.' END
	FROM schema_event WHERE name IN ('open', 'openat', 'openat2', 'creat', 'memfd_create',
		'dup', 'dup2', 'dup3', 'fcntl', 'close', 'close_range', 'execveat', 'ptrace',
		'process_vm_writev');

-- open_flags (include/uapi/asm-generic/fcntl.h; x86_64 and aarch64 alike
-- except O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE, which arm64 numbers
-- 0x4000, 0x8000, 0x10000, 0x20000: the x86_64 values are listed).  The
-- access mode is an enumeration under mask 3.  O_SYNC is __O_SYNC|O_DSYNC,
-- O_TMPFILE is __O_TMPFILE|O_DIRECTORY: their own bits are listed.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('open_flags', 'O_RDONLY', 0, 3),
	('open_flags', 'O_WRONLY', 1, 3),
	('open_flags', 'O_RDWR', 2, 3),
	('open_flags', 'O_CREAT', 64, 64),		-- 0x40
	('open_flags', 'O_EXCL', 128, 128),		-- 0x80
	('open_flags', 'O_NOCTTY', 256, 256),		-- 0x100
	('open_flags', 'O_TRUNC', 512, 512),		-- 0x200
	('open_flags', 'O_APPEND', 1024, 1024),		-- 0x400
	('open_flags', 'O_NONBLOCK', 2048, 2048),	-- 0x800
	('open_flags', 'O_DSYNC', 4096, 4096),		-- 0x1000
	('open_flags', 'O_ASYNC', 8192, 8192),		-- 0x2000
	('open_flags', 'O_DIRECT', 16384, 16384),	-- 0x4000
	('open_flags', 'O_LARGEFILE', 32768, 32768),	-- 0x8000
	('open_flags', 'O_DIRECTORY', 65536, 65536),	-- 0x10000
	('open_flags', 'O_NOFOLLOW', 131072, 131072),	-- 0x20000
	('open_flags', 'O_NOATIME', 262144, 262144),	-- 0x40000
	('open_flags', 'O_CLOEXEC', 524288, 524288),	-- 0x80000
	('open_flags', '__O_SYNC', 1048576, 1048576),	-- 0x100000
	('open_flags', 'O_PATH', 2097152, 2097152),	-- 0x200000
	('open_flags', '__O_TMPFILE', 4194304, 4194304);	-- 0x400000

-- cloexec_flags: dup3 accepts O_CLOEXEC only.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('cloexec_flags', 'O_CLOEXEC', 524288, 524288);

-- memfd_flags (include/uapi/linux/memfd.h).
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('memfd_flags', 'MFD_CLOEXEC', 1, 1),
	('memfd_flags', 'MFD_ALLOW_SEALING', 2, 2),
	('memfd_flags', 'MFD_HUGETLB', 4, 4),
	('memfd_flags', 'MFD_NOEXEC_SEAL', 8, 8),	-- 6.3+
	('memfd_flags', 'MFD_EXEC', 16, 16);		-- 6.3+

-- close_range_flags (include/uapi/linux/close_range.h).
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('close_range_flags', 'CLOSE_RANGE_UNSHARE', 2, 2),
	('close_range_flags', 'CLOSE_RANGE_CLOEXEC', 4, 4);

-- at_flags: the AT_* flags execveat accepts (include/uapi/linux/fcntl.h).
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('at_flags', 'AT_SYMLINK_NOFOLLOW', 256, 256),	-- 0x100
	('at_flags', 'AT_EMPTY_PATH', 4096, 4096);	-- 0x1000

-- fcntl_cmd: an enumeration (include/uapi/asm-generic/fcntl.h,
-- include/uapi/linux/fcntl.h); the whole word is the value.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('fcntl_cmd', 'F_DUPFD', 0, 4294967295),
	('fcntl_cmd', 'F_GETFD', 1, 4294967295),
	('fcntl_cmd', 'F_SETFD', 2, 4294967295),
	('fcntl_cmd', 'F_GETFL', 3, 4294967295),
	('fcntl_cmd', 'F_SETFL', 4, 4294967295),
	('fcntl_cmd', 'F_GETLK', 5, 4294967295),
	('fcntl_cmd', 'F_SETLK', 6, 4294967295),
	('fcntl_cmd', 'F_SETLKW', 7, 4294967295),
	('fcntl_cmd', 'F_SETOWN', 8, 4294967295),
	('fcntl_cmd', 'F_GETOWN', 9, 4294967295),
	('fcntl_cmd', 'F_SETSIG', 10, 4294967295),
	('fcntl_cmd', 'F_GETSIG', 11, 4294967295),
	('fcntl_cmd', 'F_SETOWN_EX', 15, 4294967295),
	('fcntl_cmd', 'F_GETOWN_EX', 16, 4294967295),
	('fcntl_cmd', 'F_OFD_GETLK', 36, 4294967295),
	('fcntl_cmd', 'F_OFD_SETLK', 37, 4294967295),
	('fcntl_cmd', 'F_OFD_SETLKW', 38, 4294967295),
	('fcntl_cmd', 'F_SETLEASE', 1024, 4294967295),
	('fcntl_cmd', 'F_GETLEASE', 1025, 4294967295),
	('fcntl_cmd', 'F_NOTIFY', 1026, 4294967295),
	('fcntl_cmd', 'F_DUPFD_QUERY', 1027, 4294967295),	-- 6.10+
	('fcntl_cmd', 'F_DUPFD_CLOEXEC', 1030, 4294967295),
	('fcntl_cmd', 'F_SETPIPE_SZ', 1031, 4294967295),
	('fcntl_cmd', 'F_GETPIPE_SZ', 1032, 4294967295),
	('fcntl_cmd', 'F_ADD_SEALS', 1033, 4294967295),
	('fcntl_cmd', 'F_GET_SEALS', 1034, 4294967295);

-- ptrace_request: an enumeration (include/uapi/linux/ptrace.h,
-- arch/x86/include/uapi/asm/ptrace-abi.h for 12..33).
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('ptrace_request', 'PTRACE_TRACEME', 0, 4294967295),
	('ptrace_request', 'PTRACE_PEEKTEXT', 1, 4294967295),
	('ptrace_request', 'PTRACE_PEEKDATA', 2, 4294967295),
	('ptrace_request', 'PTRACE_PEEKUSR', 3, 4294967295),
	('ptrace_request', 'PTRACE_POKETEXT', 4, 4294967295),
	('ptrace_request', 'PTRACE_POKEDATA', 5, 4294967295),
	('ptrace_request', 'PTRACE_POKEUSR', 6, 4294967295),
	('ptrace_request', 'PTRACE_CONT', 7, 4294967295),
	('ptrace_request', 'PTRACE_KILL', 8, 4294967295),
	('ptrace_request', 'PTRACE_SINGLESTEP', 9, 4294967295),
	('ptrace_request', 'PTRACE_GETREGS', 12, 4294967295),
	('ptrace_request', 'PTRACE_SETREGS', 13, 4294967295),
	('ptrace_request', 'PTRACE_GETFPREGS', 14, 4294967295),
	('ptrace_request', 'PTRACE_SETFPREGS', 15, 4294967295),
	('ptrace_request', 'PTRACE_ATTACH', 16, 4294967295),
	('ptrace_request', 'PTRACE_DETACH', 17, 4294967295),
	('ptrace_request', 'PTRACE_GETFPXREGS', 18, 4294967295),
	('ptrace_request', 'PTRACE_SETFPXREGS', 19, 4294967295),
	('ptrace_request', 'PTRACE_SYSCALL', 24, 4294967295),
	('ptrace_request', 'PTRACE_ARCH_PRCTL', 30, 4294967295),
	('ptrace_request', 'PTRACE_SYSEMU', 31, 4294967295),
	('ptrace_request', 'PTRACE_SYSEMU_SINGLESTEP', 32, 4294967295),
	('ptrace_request', 'PTRACE_SINGLEBLOCK', 33, 4294967295),
	('ptrace_request', 'PTRACE_SETOPTIONS', 16896, 4294967295),		-- 0x4200
	('ptrace_request', 'PTRACE_GETEVENTMSG', 16897, 4294967295),
	('ptrace_request', 'PTRACE_GETSIGINFO', 16898, 4294967295),
	('ptrace_request', 'PTRACE_SETSIGINFO', 16899, 4294967295),
	('ptrace_request', 'PTRACE_GETREGSET', 16900, 4294967295),
	('ptrace_request', 'PTRACE_SETREGSET', 16901, 4294967295),
	('ptrace_request', 'PTRACE_SEIZE', 16902, 4294967295),
	('ptrace_request', 'PTRACE_INTERRUPT', 16903, 4294967295),
	('ptrace_request', 'PTRACE_LISTEN', 16904, 4294967295),
	('ptrace_request', 'PTRACE_PEEKSIGINFO', 16905, 4294967295),
	('ptrace_request', 'PTRACE_GETSIGMASK', 16906, 4294967295),
	('ptrace_request', 'PTRACE_SETSIGMASK', 16907, 4294967295),
	('ptrace_request', 'PTRACE_SECCOMP_GET_FILTER', 16908, 4294967295),
	('ptrace_request', 'PTRACE_SECCOMP_GET_METADATA', 16909, 4294967295),
	('ptrace_request', 'PTRACE_GET_SYSCALL_INFO', 16910, 4294967295),
	('ptrace_request', 'PTRACE_GET_RSEQ_CONFIGURATION', 16911, 4294967295),
	('ptrace_request', 'PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG', 16912, 4294967295),
	('ptrace_request', 'PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG', 16913, 4294967295);
