-- maptrail schema rows: the events and their arguments.
--
-- Seed events (mremap, remap_file_pages, mmap2, mprotect) keep their seed
-- page's argument names, C types, tags and descriptions (shared/seeds/).  The
-- pages were machine-generated and are sometimes wrong; where they are, the
-- words stay as the page wrote them and a comment here says what is right.
-- Companion events (mmap, munmap, pkey_mprotect, brk) have no page: they use
-- the kernel's SYSCALL_DEFINE parameter names and types (the same names the
-- syscalls:sys_enter_* tracepoints show).
--
-- Tags.  The pages do not follow one rule: mremap marks sizes and flags K and
-- addresses K,U; remap_file_pages marks everything U; mmap2 marks addr,
-- length, prot, flags U and fd, pgoffset K; mprotect marks everything K.  (In
-- truth every system call argument comes from a user register.)  So that a
-- query on tags treats siblings alike, a companion copies, argument by
-- argument, the tags of the seed page closest to it:
--   mmap          <- the mmap2 page (same arguments):   U,U,U,U then fd, off K
--   munmap        <- the mprotect page (start, length): K,K
--   pkey_mprotect <- the mprotect page, plus pkey K (a plain integer, which
--                    the pages mark K)
--   brk           <- K (a plain value, never dereferenced; mprotect's address
--                    is K)
--
-- decode: 'hex' for addresses, a schema_flag kind for flag words (40-flags.sql),
-- NULL for sizes, descriptors, offsets and keys.
-- ret_decode: 'hex' for the calls whose successful return is an address.

-- mremap: shared/seeds/000_3539499bb2ccb58b.txt.  002_43841172f8cb09fa.txt is
-- a second copy of the same page with its headings (Intro, Arguments, Hooks,
-- hook names) lost; its arguments and hook purposes are identical, so 000 is
-- the source and 002 adds nothing.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('mremap', 'move a mapping and resize.', '000_3539499bb2ccb58b.txt', 'void *', 'hex');
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('mremap', 0, 'old_address', 'void*', 'K,U',
	 'The virtual address of the existing mapping.', 'hex'),
	('mremap', 1, 'old_size', 'size_t', 'K',
	 'The size of the existing mapping.', NULL),
	('mremap', 2, 'new_size', 'size_t', 'K',
	 'The size of the new mapping.', NULL),
	-- the kernel's type is unsigned long (SYSCALL_DEFINE5(mremap, ...))
	('mremap', 3, 'flags', 'int', 'K',
	 'The flags controlling the behavior of the mremap() system call.', 'mremap_flags'),
	-- used with MREMAP_FIXED (and MREMAP_DONTUNMAP), ignored otherwise
	('mremap', 4, 'new_address', 'void*', 'K,U,OPT',
	 'The virtual address of the new mapping. When the MREMAP_FIXED flag is used, this argument specifies the new address to which the existing mapping is moved, otherwise it is ignored.', 'hex');

-- remap_file_pages: shared/seeds/001_bf1e474545fca406.txt.
-- Kernel truth (mm/mmap.c): prot must be 0 (the call is deprecated and
-- emulated since 4.0), pgoff is in pages, not bytes, and flags accepts only
-- MAP_NONBLOCK; hence the 'remap_flags' kind.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('remap_file_pages', 'Map or remap part of a file into the process''s address space',
	 '001_bf1e474545fca406.txt', 'int', NULL);
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('remap_file_pages', 0, 'addr', 'void*', 'U',
	 'Starting address of the mapping.', 'hex'),
	('remap_file_pages', 1, 'size', 'size_t', 'U',
	 'Size of the mapping.', NULL),
	('remap_file_pages', 2, 'prot', 'int', 'U',
	 'Memory protection flags to set for the mapping.', 'prot'),
	('remap_file_pages', 3, 'pgoff', 'size_t', 'U',
	 'File offset in bytes corresponding to the start of the mapping.', NULL),
	('remap_file_pages', 4, 'flags', 'int', 'U',
	 'Flags for the mapping. Can be set to 0 for default behavior.', 'remap_flags');

-- mmap2: shared/seeds/003_180232b292381cd6.txt.
-- The i386 system call 192 (sys_mmap_pgoff).  Kernel truth: pgoffset is in
-- units of 4096 bytes, not a byte offset.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('mmap2', 'establish a mapping to a memory region in the virtual address space of a process',
	 '003_180232b292381cd6.txt', 'void *', 'hex');
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('mmap2', 0, 'addr', 'unsigned long', 'U',
	 'the address of the mapped memory.', 'hex'),
	('mmap2', 1, 'length', 'unsigned long', 'U',
	 'the length of the mapped memory.', NULL),
	('mmap2', 2, 'prot', 'unsigned long', 'U',
	 'the protection of the memory.', 'prot'),
	('mmap2', 3, 'flags', 'unsigned long', 'U',
	 'flags that determine how the mapping is established.', 'mmap_flags'),
	('mmap2', 4, 'fd', 'unsigned long', 'K',
	 'file descriptor used to map the memory from.', NULL),
	('mmap2', 5, 'pgoffset', 'unsigned long', 'K',
	 'the file-offset used when mapping from a file.', NULL);

-- mprotect: shared/seeds/004_c55a1d67225da5e9.txt.
-- Kernel names/types: start (unsigned long), len (size_t), prot (unsigned long).
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('mprotect', 'Change protection on a region of memory', '004_c55a1d67225da5e9.txt', 'int', NULL);
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('mprotect', 0, 'addr', 'void*', 'K',
	 'Start address', 'hex'),
	('mprotect', 1, 'len', 'size_t', 'K',
	 'Length in bytes', NULL),
	('mprotect', 2, 'prot', 'int', 'K',
	 'Protection flags (PROT_READ, PROT_WRITE, PROT_EXEC, PROT_SEM and PROT_NONE are provided)', 'prot');

-- mmap: no seed page.  Kernel: SYSCALL_DEFINE6(mmap, unsigned long addr,
-- unsigned long len, unsigned long prot, unsigned long flags, unsigned long fd,
-- unsigned long off) (arch/x86/kernel/sys_x86_64.c, arch/arm64/kernel/sys.c);
-- off is in bytes and must be page aligned.  Tags copied from the mmap2 page.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('mmap', 'map files or devices into memory', NULL, 'void *', 'hex');
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('mmap', 0, 'addr', 'unsigned long', 'U',
	 'Requested start address of the mapping (a hint unless MAP_FIXED or MAP_FIXED_NOREPLACE).', 'hex'),
	('mmap', 1, 'len', 'unsigned long', 'U',
	 'Length of the mapping in bytes.', NULL),
	('mmap', 2, 'prot', 'unsigned long', 'U',
	 'Memory protection of the mapping.', 'prot'),
	('mmap', 3, 'flags', 'unsigned long', 'U',
	 'Mapping type (shared or private) and options.', 'mmap_flags'),
	('mmap', 4, 'fd', 'unsigned long', 'K',
	 'File descriptor of the mapped file; -1 for anonymous mappings.', NULL),
	('mmap', 5, 'off', 'unsigned long', 'K',
	 'Offset in the file in bytes, a multiple of the page size.', NULL);

-- munmap: no seed page.  Kernel: SYSCALL_DEFINE2(munmap, unsigned long addr,
-- size_t len) (mm/mmap.c).  Tags copied from the mprotect page.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('munmap', 'unmap files or devices from memory', NULL, 'int', NULL);
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('munmap', 0, 'addr', 'unsigned long', 'K',
	 'Start address of the range to unmap (page aligned).', 'hex'),
	('munmap', 1, 'len', 'size_t', 'K',
	 'Length of the range in bytes.', NULL);

-- pkey_mprotect: no seed page.  Kernel: SYSCALL_DEFINE4(pkey_mprotect,
-- unsigned long start, size_t len, unsigned long prot, int pkey)
-- (mm/mprotect.c).  Tags copied from the mprotect page; pkey K.
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('pkey_mprotect', 'set protection on a region of memory and tag it with a protection key',
	 NULL, 'int', NULL);
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('pkey_mprotect', 0, 'start', 'unsigned long', 'K',
	 'Start address (page aligned).', 'hex'),
	('pkey_mprotect', 1, 'len', 'size_t', 'K',
	 'Length in bytes.', NULL),
	('pkey_mprotect', 2, 'prot', 'unsigned long', 'K',
	 'Protection flags.', 'prot'),
	('pkey_mprotect', 3, 'pkey', 'int', 'K',
	 'Protection key from pkey_alloc(); -1 behaves like mprotect().', NULL);

-- brk: no seed page.  Kernel: SYSCALL_DEFINE1(brk, unsigned long brk)
-- (mm/mmap.c); the system call returns the new (or, on failure, the current)
-- program break, not libc's 0/-1.  Tag K (see above).
INSERT INTO schema_event (name, description, seed_page, ret_type, ret_decode) VALUES
	('brk', 'change data segment size', NULL, 'unsigned long', 'hex');
INSERT INTO schema_arg (event, position, name, c_type, tags, description, decode) VALUES
	('brk', 0, 'brk', 'unsigned long', 'K',
	 'Requested end of the data segment (program break); 0 queries the current break.', 'hex');
