-- maptrail schema rows: the hooks the seed pages document, and what each is
-- on real Linux.  documented, kind and purpose are the pages' words (kind
-- normalised: "Kprobes + kretprobes" -> 'kprobe+kretprobe', "Kprobes",
-- "KProbes", "kprobe", "Kprobe" -> 'kprobe').  Facts: shared/seeds/README.md,
-- Linux sources, and /proc/kallsyms of this machine (Linux 6.18.44 x86_64),
-- which has __x64_sys_{mremap,mprotect,mmap,munmap,brk,pkey_mprotect,
-- remap_file_pages}, __ia32_sys_mmap_pgoff, do_mmap, ksys_mmap_pgoff,
-- vm_mmap_pgoff and a static (t) do_mremap, and no sys_mremap, sys_mprotect,
-- do_mmap_pgoff, update_mmap_zero_pfn or do_mmap2.
-- linux_symbol is what maptrail probes instead on x86_64 (NULL: nothing);
-- the i386 and aarch64 entry points are in 20-sources.sql.

-- mremap, shared/seeds/000_3539499bb2ccb58b.txt (002 repeats the same two
-- hooks with their names lost).
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note) VALUES
	('mremap', 'sys_mremap', 'kprobe+kretprobe',
	 'This function was hooked to monitor memory allocation and deallocation.',
	 'renamed', '__x64_sys_mremap', '4.17+ (x86_64)',
	 'Since 4.17 x86_64 system calls enter through pt_regs wrappers, so there is no sys_mremap symbol: the entry point is __x64_sys_mremap (__ia32_sys_mremap for 32-bit callers, __arm64_sys_mremap on aarch64), which takes a struct pt_regs * holding the arguments.'),
	-- do_mremap(struct vma_remap_struct *) came with the 2025 mm/mremap.c
	-- rework (first release not verified here; 6.15 is believed).
	('mremap', 'do_mremap', 'kprobe',
	 'This function was hooked to monitor inputs and outputs to the sys_mremap syscall.',
	 'recent kernels only', 'do_mremap', '6.18 (static, in kallsyms); absent in 6.1',
	 'do_mremap is a static helper of recent kernels only, taking a struct vma_remap_struct * rather than the system call arguments, so maptrail reads mremap at __x64_sys_mremap and leaves do_mremap unprobed.');

-- remap_file_pages, shared/seeds/001_bf1e474545fca406.txt.
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note) VALUES
	('remap_file_pages', 'do_mmap_pgoff', 'kprobe',
	 'To monitor the do_mmap_pgoff syscall which is used by the kernel to handle remap_file_pages calls.',
	 'removed', '__x64_sys_remap_file_pages', '4.17+ (x86_64)',
	 'do_mmap_pgoff was removed in 5.9 (2020): remap_file_pages now calls do_mmap directly and mmap goes ksys_mmap_pgoff -> vm_mmap_pgoff -> do_mmap, and since do_mmap serves every mapping maptrail probes the remap_file_pages entry point instead.'),
	('remap_file_pages', 'update_mmap_zero_pfn', 'kprobe',
	 'To monitor the update_mmap_zero_pfn syscall which is used by the kernel to handle remap_file_pages calls.',
	 'never existed', NULL, NULL,
	 'No Linux release has a function named update_mmap_zero_pfn (the specification invented it); remap_file_pages is read at __x64_sys_remap_file_pages through the do_mmap_pgoff row.');

-- mmap2, shared/seeds/003_180232b292381cd6.txt.
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note) VALUES
	('mmap2', 'do_mmap2', 'kprobe',
	 'To monitor memory mapping requests from user space.',
	 'other architecture', '__ia32_sys_mmap_pgoff', '4.17+ (x86_64 with CONFIG_IA32_EMULATION)',
	 'do_mmap2 is a static powerpc helper (arch/powerpc/kernel/syscalls.c); mmap2 is the 32-bit i386 system call 192, which on x86_64 enters __ia32_sys_mmap_pgoff.');

-- mprotect, shared/seeds/004_c55a1d67225da5e9.txt.
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note) VALUES
	('mprotect', 'sys_mprotect', 'kprobe',
	 'Monitor access to memory and enforce memory protections',
	 'renamed', '__x64_sys_mprotect', '4.17+ (x86_64)',
	 'Since 4.17 there is no sys_mprotect symbol on x86_64: the entry point is __x64_sys_mprotect (__ia32_sys_mprotect for 32-bit callers), which takes a struct pt_regs * holding the arguments.');

-- Companion events: no seed page documents a hook, so each gets its natural
-- sys_<call> name, hooked like sys_mremap (entry and return).
INSERT INTO schema_hook (event, documented, kind, purpose, status, linux_symbol, kernels, note) VALUES
	('mmap', 'sys_mmap', 'kprobe+kretprobe', NULL,
	 'renamed', '__x64_sys_mmap', '4.17+ (x86_64)',
	 'The hook of mmap is its system call entry sys_mmap, which is __x64_sys_mmap on x86_64 since 4.17 (the i386 mmap, syscall 90, enters __ia32_compat_sys_ia32_mmap).'),
	('munmap', 'sys_munmap', 'kprobe+kretprobe', NULL,
	 'renamed', '__x64_sys_munmap', '4.17+ (x86_64)',
	 'The hook of munmap is its system call entry sys_munmap, which is __x64_sys_munmap on x86_64 since 4.17.'),
	('pkey_mprotect', 'sys_pkey_mprotect', 'kprobe+kretprobe', NULL,
	 'renamed', '__x64_sys_pkey_mprotect', '4.17+ (x86_64)',
	 'The hook of pkey_mprotect is its system call entry sys_pkey_mprotect, which is __x64_sys_pkey_mprotect on x86_64 since 4.17.'),
	('brk', 'sys_brk', 'kprobe+kretprobe', NULL,
	 'renamed', '__x64_sys_brk', '4.17+ (x86_64)',
	 'The hook of brk is its system call entry sys_brk, which is __x64_sys_brk on x86_64 since 4.17.');
