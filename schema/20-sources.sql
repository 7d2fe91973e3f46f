-- maptrail schema rows: where each event's arguments come from.
--
-- Tracepoint sources (backend 'tracepoint', arch 'any', abi 'native'): the
-- syscalls:sys_enter_<call> / sys_exit_<call> pair.  field is the tracepoint's
-- field name, which follows the kernel's parameter names, not the pages'
-- names; every sys_exit_* has 'ret'.  Field names checked against
-- /sys/kernel/tracing/events/syscalls/sys_enter_*/format on Linux 6.18 x86_64
-- (schema/check-schema.sh repeats the check wherever tracefs is readable).
-- Syscall tracepoints fire for the native ABI only: on x86_64 a 32-bit
-- (int 0x80, sysenter, compat syscall) caller is invisible to them, so the
-- i386 ABI needs the kprobe sources below.
--
-- mmap2 has no tracepoint source: x86_64 and arm64 have no native mmap2 and
-- syscall tracepoints never fire for compat calls, so sys_enter_mmap2 does not
-- exist there (it does not on this 6.18 x86_64 machine).  Its only source is
-- the i386 kprobe on __ia32_sys_mmap_pgoff.
--
-- Kprobe sources (backend 'kprobe', events in the 'maptrail' group): an entry
-- probe <event>_<x64|ia32|arm64> and a kretprobe <same>_ret whose field 'ret'
-- is $retval.  The probed symbols are the pt_regs syscall wrappers that the
-- system call tables call (x86_64 since 4.17, arm64 since 4.19); their only
-- argument is a struct pt_regs * that holds the caller's registers:
--   x86_64 native  __x64_sys_<call>   pt_regs * in %di; the x86_64 syscall
--                  registers di, si, dx, r10, r8, r9 are at pt_regs offsets
--                  0x70, 0x68, 0x60, 0x38, 0x48, 0x40
--                  (arch/x86/include/asm/ptrace.h: r15 0x00, r14 0x08, r13 0x10,
--                  r12 0x18, bp 0x20, bx 0x28, r11 0x30, r10 0x38, r9 0x40,
--                  r8 0x48, ax 0x50, cx 0x58, dx 0x60, si 0x68, di 0x70)
--   x86_64 i386    __ia32_sys_<call> (arch/x86/entry/syscalls/syscall_32.tbl)
--                  pt_regs * in %di; the i386 syscall registers bx, cx, dx, si,
--                  di, bp are at 0x28, 0x58, 0x60, 0x68, 0x70, 0x20
--   aarch64 native __arm64_sys_<call> pt_regs * in %x0; regs[0..5] at
--                  0, 8, 16, 24, 32, 40
-- For kprobe sources schema_arg_source.field is the schema argument name (the
-- kprobe field is created under that name); fetch is the fetch argument
-- (Documentation/trace/kprobetrace.rst).
--
-- Fetch types follow the kernel prototype, not the pages' C types, so a kprobe
-- column carries the same bits as the tracepoint column it stands in for:
--   native: every argument is unsigned long or size_t in SYSCALL_DEFINE (mmap's
--     fd included; mremap/remap_file_pages flags and mprotect prot too, where
--     the pages say int), so :u64 -- unknown high bits in prot/flags stay
--     visible, and fd -1 reads as all ones, which analyze stores as -1.  The
--     one int parameter, pkey_mprotect's pkey, is :s32 as the kernel reads it.
--   i386: the __ia32_sys_* stubs truncate every register to 32 bits, so :u32,
--     except the int-valued pkey and fd (:s32) so that -1 (anonymous mmap,
--     default pkey) reads -1 as it does on the native paths.
--
-- Not covered: x32 callers go through the __x64_sys_* wrappers and are seen
-- (and reported) as native; on arm64, AArch32 (compat) callers of calls without
-- a compat variant also enter __arm64_sys_<call> and are seen as native; the
-- arm32 mmap2 (__arm64_compat_sys_aarch32_mmap2) has no source here.

-- ---------------------------------------------------------------------------
-- tracepoints
-- ---------------------------------------------------------------------------

-- mremap: fields of syscalls/sys_enter_mremap: addr, old_len, new_len, flags, new_addr
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mremap', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_mremap', 'syscalls', 'sys_exit_mremap', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mremap', 'tracepoint', 'any', 'native', 0, 'addr', NULL),
	('mremap', 'tracepoint', 'any', 'native', 1, 'old_len', NULL),
	('mremap', 'tracepoint', 'any', 'native', 2, 'new_len', NULL),
	('mremap', 'tracepoint', 'any', 'native', 3, 'flags', NULL),
	('mremap', 'tracepoint', 'any', 'native', 4, 'new_addr', NULL);

-- remap_file_pages: fields of syscalls/sys_enter_remap_file_pages: start, size, prot, pgoff, flags
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('remap_file_pages', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_remap_file_pages', 'syscalls', 'sys_exit_remap_file_pages', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('remap_file_pages', 'tracepoint', 'any', 'native', 0, 'start', NULL),
	('remap_file_pages', 'tracepoint', 'any', 'native', 1, 'size', NULL),
	('remap_file_pages', 'tracepoint', 'any', 'native', 2, 'prot', NULL),
	('remap_file_pages', 'tracepoint', 'any', 'native', 3, 'pgoff', NULL),
	('remap_file_pages', 'tracepoint', 'any', 'native', 4, 'flags', NULL);

-- mmap: fields of syscalls/sys_enter_mmap: addr, len, prot, flags, fd, off
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mmap', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_mmap', 'syscalls', 'sys_exit_mmap', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mmap', 'tracepoint', 'any', 'native', 0, 'addr', NULL),
	('mmap', 'tracepoint', 'any', 'native', 1, 'len', NULL),
	('mmap', 'tracepoint', 'any', 'native', 2, 'prot', NULL),
	('mmap', 'tracepoint', 'any', 'native', 3, 'flags', NULL),
	('mmap', 'tracepoint', 'any', 'native', 4, 'fd', NULL),
	('mmap', 'tracepoint', 'any', 'native', 5, 'off', NULL);

-- mprotect: fields of syscalls/sys_enter_mprotect: start, len, prot
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mprotect', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_mprotect', 'syscalls', 'sys_exit_mprotect', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mprotect', 'tracepoint', 'any', 'native', 0, 'start', NULL),
	('mprotect', 'tracepoint', 'any', 'native', 1, 'len', NULL),
	('mprotect', 'tracepoint', 'any', 'native', 2, 'prot', NULL);

-- munmap: fields of syscalls/sys_enter_munmap: addr, len
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('munmap', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_munmap', 'syscalls', 'sys_exit_munmap', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('munmap', 'tracepoint', 'any', 'native', 0, 'addr', NULL),
	('munmap', 'tracepoint', 'any', 'native', 1, 'len', NULL);

-- pkey_mprotect: fields of syscalls/sys_enter_pkey_mprotect: start, len, prot, pkey
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('pkey_mprotect', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_pkey_mprotect', 'syscalls', 'sys_exit_pkey_mprotect', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('pkey_mprotect', 'tracepoint', 'any', 'native', 0, 'start', NULL),
	('pkey_mprotect', 'tracepoint', 'any', 'native', 1, 'len', NULL),
	('pkey_mprotect', 'tracepoint', 'any', 'native', 2, 'prot', NULL),
	('pkey_mprotect', 'tracepoint', 'any', 'native', 3, 'pkey', NULL);

-- brk: fields of syscalls/sys_enter_brk: brk
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('brk', 'tracepoint', 'any', 'native', 'syscalls', 'sys_enter_brk', 'syscalls', 'sys_exit_brk', 'ret', NULL);
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('brk', 'tracepoint', 'any', 'native', 0, 'brk', NULL);

-- ---------------------------------------------------------------------------
-- x86_64, native ABI: __x64_sys_<call> (Linux 4.17+)
-- ---------------------------------------------------------------------------

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mremap', 'kprobe', 'x86_64', 'native', 'maptrail', 'mremap_x64', 'maptrail', 'mremap_x64_ret', 'ret', '__x64_sys_mremap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mremap', 'kprobe', 'x86_64', 'native', 0, 'old_address', '+0x70(%di):u64'),
	('mremap', 'kprobe', 'x86_64', 'native', 1, 'old_size', '+0x68(%di):u64'),
	('mremap', 'kprobe', 'x86_64', 'native', 2, 'new_size', '+0x60(%di):u64'),
	('mremap', 'kprobe', 'x86_64', 'native', 3, 'flags', '+0x38(%di):u64'),
	('mremap', 'kprobe', 'x86_64', 'native', 4, 'new_address', '+0x48(%di):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 'maptrail', 'remap_file_pages_x64', 'maptrail', 'remap_file_pages_x64_ret', 'ret', '__x64_sys_remap_file_pages');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 0, 'addr', '+0x70(%di):u64'),
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 1, 'size', '+0x68(%di):u64'),
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 2, 'prot', '+0x60(%di):u64'),
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 3, 'pgoff', '+0x38(%di):u64'),
	('remap_file_pages', 'kprobe', 'x86_64', 'native', 4, 'flags', '+0x48(%di):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mmap', 'kprobe', 'x86_64', 'native', 'maptrail', 'mmap_x64', 'maptrail', 'mmap_x64_ret', 'ret', '__x64_sys_mmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mmap', 'kprobe', 'x86_64', 'native', 0, 'addr', '+0x70(%di):u64'),
	('mmap', 'kprobe', 'x86_64', 'native', 1, 'len', '+0x68(%di):u64'),
	('mmap', 'kprobe', 'x86_64', 'native', 2, 'prot', '+0x60(%di):u64'),
	('mmap', 'kprobe', 'x86_64', 'native', 3, 'flags', '+0x38(%di):u64'),
	('mmap', 'kprobe', 'x86_64', 'native', 4, 'fd', '+0x48(%di):u64'),
	('mmap', 'kprobe', 'x86_64', 'native', 5, 'off', '+0x40(%di):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mprotect', 'kprobe', 'x86_64', 'native', 'maptrail', 'mprotect_x64', 'maptrail', 'mprotect_x64_ret', 'ret', '__x64_sys_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mprotect', 'kprobe', 'x86_64', 'native', 0, 'addr', '+0x70(%di):u64'),
	('mprotect', 'kprobe', 'x86_64', 'native', 1, 'len', '+0x68(%di):u64'),
	('mprotect', 'kprobe', 'x86_64', 'native', 2, 'prot', '+0x60(%di):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('munmap', 'kprobe', 'x86_64', 'native', 'maptrail', 'munmap_x64', 'maptrail', 'munmap_x64_ret', 'ret', '__x64_sys_munmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('munmap', 'kprobe', 'x86_64', 'native', 0, 'addr', '+0x70(%di):u64'),
	('munmap', 'kprobe', 'x86_64', 'native', 1, 'len', '+0x68(%di):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('pkey_mprotect', 'kprobe', 'x86_64', 'native', 'maptrail', 'pkey_mprotect_x64', 'maptrail', 'pkey_mprotect_x64_ret', 'ret', '__x64_sys_pkey_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('pkey_mprotect', 'kprobe', 'x86_64', 'native', 0, 'start', '+0x70(%di):u64'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'native', 1, 'len', '+0x68(%di):u64'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'native', 2, 'prot', '+0x60(%di):u64'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'native', 3, 'pkey', '+0x38(%di):s32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('brk', 'kprobe', 'x86_64', 'native', 'maptrail', 'brk_x64', 'maptrail', 'brk_x64_ret', 'ret', '__x64_sys_brk');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('brk', 'kprobe', 'x86_64', 'native', 0, 'brk', '+0x70(%di):u64');
-- ---------------------------------------------------------------------------
-- x86_64, i386 ABI (CONFIG_IA32_EMULATION): syscall_32.tbl entry points
--   45 brk -> __ia32_sys_brk, 91 munmap -> __ia32_sys_munmap,
--   125 mprotect -> __ia32_sys_mprotect, 163 mremap -> __ia32_sys_mremap,
--   257 remap_file_pages -> __ia32_sys_remap_file_pages,
--   380 pkey_mprotect -> __ia32_sys_pkey_mprotect,
--   192 mmap2 -> __ia32_sys_mmap_pgoff, 90 mmap -> __ia32_compat_sys_ia32_mmap
-- (all present in this machine's 6.18 /proc/kallsyms)
-- ---------------------------------------------------------------------------

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mremap', 'kprobe', 'x86_64', 'i386', 'maptrail', 'mremap_ia32', 'maptrail', 'mremap_ia32_ret', 'ret', '__ia32_sys_mremap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mremap', 'kprobe', 'x86_64', 'i386', 0, 'old_address', '+0x28(%di):u32'),
	('mremap', 'kprobe', 'x86_64', 'i386', 1, 'old_size', '+0x58(%di):u32'),
	('mremap', 'kprobe', 'x86_64', 'i386', 2, 'new_size', '+0x60(%di):u32'),
	('mremap', 'kprobe', 'x86_64', 'i386', 3, 'flags', '+0x68(%di):u32'),
	('mremap', 'kprobe', 'x86_64', 'i386', 4, 'new_address', '+0x70(%di):u32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 'maptrail', 'remap_file_pages_ia32', 'maptrail', 'remap_file_pages_ia32_ret', 'ret', '__ia32_sys_remap_file_pages');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 0, 'addr', '+0x28(%di):u32'),
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 1, 'size', '+0x58(%di):u32'),
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 2, 'prot', '+0x60(%di):u32'),
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 3, 'pgoff', '+0x68(%di):u32'),
	('remap_file_pages', 'kprobe', 'x86_64', 'i386', 4, 'flags', '+0x70(%di):u32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mprotect', 'kprobe', 'x86_64', 'i386', 'maptrail', 'mprotect_ia32', 'maptrail', 'mprotect_ia32_ret', 'ret', '__ia32_sys_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mprotect', 'kprobe', 'x86_64', 'i386', 0, 'addr', '+0x28(%di):u32'),
	('mprotect', 'kprobe', 'x86_64', 'i386', 1, 'len', '+0x58(%di):u32'),
	('mprotect', 'kprobe', 'x86_64', 'i386', 2, 'prot', '+0x60(%di):u32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('munmap', 'kprobe', 'x86_64', 'i386', 'maptrail', 'munmap_ia32', 'maptrail', 'munmap_ia32_ret', 'ret', '__ia32_sys_munmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('munmap', 'kprobe', 'x86_64', 'i386', 0, 'addr', '+0x28(%di):u32'),
	('munmap', 'kprobe', 'x86_64', 'i386', 1, 'len', '+0x58(%di):u32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('pkey_mprotect', 'kprobe', 'x86_64', 'i386', 'maptrail', 'pkey_mprotect_ia32', 'maptrail', 'pkey_mprotect_ia32_ret', 'ret', '__ia32_sys_pkey_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('pkey_mprotect', 'kprobe', 'x86_64', 'i386', 0, 'start', '+0x28(%di):u32'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'i386', 1, 'len', '+0x58(%di):u32'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'i386', 2, 'prot', '+0x60(%di):u32'),
	('pkey_mprotect', 'kprobe', 'x86_64', 'i386', 3, 'pkey', '+0x68(%di):s32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('brk', 'kprobe', 'x86_64', 'i386', 'maptrail', 'brk_ia32', 'maptrail', 'brk_ia32_ret', 'ret', '__ia32_sys_brk');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('brk', 'kprobe', 'x86_64', 'i386', 0, 'brk', '+0x28(%di):u32');

-- i386 mmap (syscall 90, sys_old_mmap) takes one pointer, in bx, to
-- struct mmap_arg_struct32 { u32 addr, len, prot, flags, fd, offset; } in user
-- memory (arch/x86/kernel/sys_ia32.c); offset is in bytes, as mmap's off.  The
-- fields are read with kprobe user-memory dereferences +u<offset>(...), which
-- need a kernel whose tracing/README lists '+|-[u]<offset>(<fetcharg>)'.  The
-- probe reads the struct before the kernel's own copy_from_user, so a racing
-- thread could change it in between (the values are what the struct held at
-- entry).  Symbol: __ia32_compat_sys_ia32_mmap since 5.7 (the x86_* -> ia32_*
-- rename, tip commit 866128a99664); 4.17 to 5.6 call it
-- __ia32_compat_sys_x86_mmap.
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mmap', 'kprobe', 'x86_64', 'i386', 'maptrail', 'mmap_ia32', 'maptrail', 'mmap_ia32_ret', 'ret', '__ia32_compat_sys_ia32_mmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mmap', 'kprobe', 'x86_64', 'i386', 0, 'addr', '+u0(+0x28(%di)):u32'),
	('mmap', 'kprobe', 'x86_64', 'i386', 1, 'len', '+u4(+0x28(%di)):u32'),
	('mmap', 'kprobe', 'x86_64', 'i386', 2, 'prot', '+u8(+0x28(%di)):u32'),
	('mmap', 'kprobe', 'x86_64', 'i386', 3, 'flags', '+u12(+0x28(%di)):u32'),
	('mmap', 'kprobe', 'x86_64', 'i386', 4, 'fd', '+u16(+0x28(%di)):s32'),
	('mmap', 'kprobe', 'x86_64', 'i386', 5, 'off', '+u20(+0x28(%di)):u32');

-- mmap2 (i386 syscall 192, sys_mmap_pgoff): the only source mmap2 has.
INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mmap2', 'kprobe', 'x86_64', 'i386', 'maptrail', 'mmap2_ia32', 'maptrail', 'mmap2_ia32_ret', 'ret', '__ia32_sys_mmap_pgoff');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mmap2', 'kprobe', 'x86_64', 'i386', 0, 'addr', '+0x28(%di):u32'),
	('mmap2', 'kprobe', 'x86_64', 'i386', 1, 'length', '+0x58(%di):u32'),
	('mmap2', 'kprobe', 'x86_64', 'i386', 2, 'prot', '+0x60(%di):u32'),
	('mmap2', 'kprobe', 'x86_64', 'i386', 3, 'flags', '+0x68(%di):u32'),
	('mmap2', 'kprobe', 'x86_64', 'i386', 4, 'fd', '+0x70(%di):s32'),
	('mmap2', 'kprobe', 'x86_64', 'i386', 5, 'pgoffset', '+0x20(%di):u32');

-- ---------------------------------------------------------------------------
-- aarch64, native ABI: __arm64_sys_<call> (Linux 4.19+).  On kernels without
-- CONFIG_ARCH_HAS_PKEYS pkey_mprotect is a cond_syscall stub returning -ENOSYS.
-- ---------------------------------------------------------------------------

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mremap', 'kprobe', 'aarch64', 'native', 'maptrail', 'mremap_arm64', 'maptrail', 'mremap_arm64_ret', 'ret', '__arm64_sys_mremap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mremap', 'kprobe', 'aarch64', 'native', 0, 'old_address', '+0(%x0):u64'),
	('mremap', 'kprobe', 'aarch64', 'native', 1, 'old_size', '+8(%x0):u64'),
	('mremap', 'kprobe', 'aarch64', 'native', 2, 'new_size', '+16(%x0):u64'),
	('mremap', 'kprobe', 'aarch64', 'native', 3, 'flags', '+24(%x0):u64'),
	('mremap', 'kprobe', 'aarch64', 'native', 4, 'new_address', '+32(%x0):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 'maptrail', 'remap_file_pages_arm64', 'maptrail', 'remap_file_pages_arm64_ret', 'ret', '__arm64_sys_remap_file_pages');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 0, 'addr', '+0(%x0):u64'),
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 1, 'size', '+8(%x0):u64'),
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 2, 'prot', '+16(%x0):u64'),
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 3, 'pgoff', '+24(%x0):u64'),
	('remap_file_pages', 'kprobe', 'aarch64', 'native', 4, 'flags', '+32(%x0):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mmap', 'kprobe', 'aarch64', 'native', 'maptrail', 'mmap_arm64', 'maptrail', 'mmap_arm64_ret', 'ret', '__arm64_sys_mmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mmap', 'kprobe', 'aarch64', 'native', 0, 'addr', '+0(%x0):u64'),
	('mmap', 'kprobe', 'aarch64', 'native', 1, 'len', '+8(%x0):u64'),
	('mmap', 'kprobe', 'aarch64', 'native', 2, 'prot', '+16(%x0):u64'),
	('mmap', 'kprobe', 'aarch64', 'native', 3, 'flags', '+24(%x0):u64'),
	('mmap', 'kprobe', 'aarch64', 'native', 4, 'fd', '+32(%x0):u64'),
	('mmap', 'kprobe', 'aarch64', 'native', 5, 'off', '+40(%x0):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('mprotect', 'kprobe', 'aarch64', 'native', 'maptrail', 'mprotect_arm64', 'maptrail', 'mprotect_arm64_ret', 'ret', '__arm64_sys_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('mprotect', 'kprobe', 'aarch64', 'native', 0, 'addr', '+0(%x0):u64'),
	('mprotect', 'kprobe', 'aarch64', 'native', 1, 'len', '+8(%x0):u64'),
	('mprotect', 'kprobe', 'aarch64', 'native', 2, 'prot', '+16(%x0):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('munmap', 'kprobe', 'aarch64', 'native', 'maptrail', 'munmap_arm64', 'maptrail', 'munmap_arm64_ret', 'ret', '__arm64_sys_munmap');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('munmap', 'kprobe', 'aarch64', 'native', 0, 'addr', '+0(%x0):u64'),
	('munmap', 'kprobe', 'aarch64', 'native', 1, 'len', '+8(%x0):u64');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('pkey_mprotect', 'kprobe', 'aarch64', 'native', 'maptrail', 'pkey_mprotect_arm64', 'maptrail', 'pkey_mprotect_arm64_ret', 'ret', '__arm64_sys_pkey_mprotect');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('pkey_mprotect', 'kprobe', 'aarch64', 'native', 0, 'start', '+0(%x0):u64'),
	('pkey_mprotect', 'kprobe', 'aarch64', 'native', 1, 'len', '+8(%x0):u64'),
	('pkey_mprotect', 'kprobe', 'aarch64', 'native', 2, 'prot', '+16(%x0):u64'),
	('pkey_mprotect', 'kprobe', 'aarch64', 'native', 3, 'pkey', '+24(%x0):s32');

INSERT INTO schema_source (event, backend, arch, abi, enter_system, enter_event, exit_system, exit_event, ret_field, symbol) VALUES
	('brk', 'kprobe', 'aarch64', 'native', 'maptrail', 'brk_arm64', 'maptrail', 'brk_arm64_ret', 'ret', '__arm64_sys_brk');
INSERT INTO schema_arg_source (event, backend, arch, abi, position, field, fetch) VALUES
	('brk', 'kprobe', 'aarch64', 'native', 0, 'brk', '+0(%x0):u64');

