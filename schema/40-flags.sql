-- maptrail schema rows: names of flag bits and enumerated values.
-- A name matches x when (x & mask) = value.  The decoded views print every
-- match, then the bits no mask of the kind covers as hex (schema_flag_mask,
-- derived when the schema loads, is the OR of the kind's masks).  Values are x86_64's, from the
-- kernel's uapi headers (include/uapi/asm-generic/mman-common.h, mman.h,
-- include/uapi/linux/mman.h, arch/x86/include/uapi/asm/mman.h).  aarch64 uses
-- the asm-generic headers unchanged, so every value is the same there; the
-- x86-only names (MAP_32BIT, MAP_ABOVE4G) and the arm64-only ones are noted.
-- The schema has no per-architecture flag kinds, so one set serves both.

-- prot: mmap, mmap2, mprotect, pkey_mprotect, remap_file_pages.
-- PROT_NONE is the value 0 of the access bits: value 0 under mask 7.
-- arm64 adds PROT_BTI 0x10 and PROT_MTE 0x20 (arch/arm64/include/uapi/asm/mman.h);
-- on x86_64 those bits are invalid, so they are left to show as unknown hex.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('prot', 'PROT_NONE', 0, 7),
	('prot', 'PROT_READ', 1, 1),
	('prot', 'PROT_WRITE', 2, 2),
	('prot', 'PROT_EXEC', 4, 4),
	('prot', 'PROT_SEM', 8, 8),
	('prot', 'PROT_GROWSDOWN', 16777216, 16777216),		-- 0x01000000, mprotect only
	('prot', 'PROT_GROWSUP', 33554432, 33554432);		-- 0x02000000, mprotect only

-- mmap_flags: mmap, mmap2.
-- The mapping type is an enumeration in the low bits: SHARED 1, PRIVATE 2,
-- SHARED_VALIDATE 3 share mask 3 (MAP_FILE is 0 and not listed).  The kernel
-- switches on flags & MAP_TYPE (0x0f); MAP_DROPPABLE (0x08, Linux 6.11+) is a
-- fourth type, listed as its own bit so that an invalid type still shows.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('mmap_flags', 'MAP_SHARED', 1, 3),
	('mmap_flags', 'MAP_PRIVATE', 2, 3),
	('mmap_flags', 'MAP_SHARED_VALIDATE', 3, 3),
	('mmap_flags', 'MAP_DROPPABLE', 8, 8),			-- 0x08, 6.11+
	('mmap_flags', 'MAP_FIXED', 16, 16),			-- 0x10
	('mmap_flags', 'MAP_ANONYMOUS', 32, 32),		-- 0x20
	('mmap_flags', 'MAP_32BIT', 64, 64),			-- 0x40, x86 only (arch/x86)
	('mmap_flags', 'MAP_ABOVE4G', 128, 128),		-- 0x80, x86 only, 6.6+ (arch/x86)
	('mmap_flags', 'MAP_GROWSDOWN', 256, 256),		-- 0x0100
	('mmap_flags', 'MAP_DENYWRITE', 2048, 2048),		-- 0x0800 (ignored by the kernel)
	('mmap_flags', 'MAP_EXECUTABLE', 4096, 4096),		-- 0x1000 (ignored by the kernel)
	('mmap_flags', 'MAP_LOCKED', 8192, 8192),		-- 0x2000
	('mmap_flags', 'MAP_NORESERVE', 16384, 16384),		-- 0x4000
	('mmap_flags', 'MAP_POPULATE', 32768, 32768),		-- 0x008000
	('mmap_flags', 'MAP_NONBLOCK', 65536, 65536),		-- 0x010000
	('mmap_flags', 'MAP_STACK', 131072, 131072),		-- 0x020000
	('mmap_flags', 'MAP_HUGETLB', 262144, 262144),		-- 0x040000
	('mmap_flags', 'MAP_SYNC', 524288, 524288),		-- 0x080000
	('mmap_flags', 'MAP_FIXED_NOREPLACE', 1048576, 1048576);	-- 0x100000

-- Bits 26..31 (mask 0xfc000000) are one field: with MAP_HUGETLB they hold
-- log2 of the huge page size (MAP_HUGE_SHIFT 26, include/uapi/asm-generic/
-- hugetlb_encode.h); bit 26 alone is MAP_UNINITIALIZED (0x4000000, honoured
-- only by NOMMU kernels with CONFIG_MMAP_ALLOW_UNINITIALIZED).  The kernel
-- cannot tell the two apart either, so they are one enumeration with one
-- mask: MAP_UNINITIALIZED is the field value 1 (no huge page is 2 bytes), and
-- MAP_HUGETLB|MAP_HUGE_2MB no longer decodes as a bogus MAP_UNINITIALIZED.
-- Catch: a field value with no name below (an unlisted size) is not shown.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('mmap_flags', 'MAP_UNINITIALIZED', 67108864, 4227858432),	-- 1 << 26
	('mmap_flags', 'MAP_HUGE_16KB', 939524096, 4227858432),		-- 14 << 26
	('mmap_flags', 'MAP_HUGE_64KB', 1073741824, 4227858432),	-- 16 << 26
	('mmap_flags', 'MAP_HUGE_512KB', 1275068416, 4227858432),	-- 19 << 26
	('mmap_flags', 'MAP_HUGE_1MB', 1342177280, 4227858432),		-- 20 << 26
	('mmap_flags', 'MAP_HUGE_2MB', 1409286144, 4227858432),		-- 21 << 26
	('mmap_flags', 'MAP_HUGE_8MB', 1543503872, 4227858432),		-- 23 << 26
	('mmap_flags', 'MAP_HUGE_16MB', 1610612736, 4227858432),	-- 24 << 26
	('mmap_flags', 'MAP_HUGE_32MB', 1677721600, 4227858432),	-- 25 << 26
	('mmap_flags', 'MAP_HUGE_256MB', 1879048192, 4227858432),	-- 28 << 26
	('mmap_flags', 'MAP_HUGE_512MB', 1946157056, 4227858432),	-- 29 << 26
	('mmap_flags', 'MAP_HUGE_1GB', 2013265920, 4227858432),		-- 30 << 26
	('mmap_flags', 'MAP_HUGE_2GB', 2080374784, 4227858432),		-- 31 << 26
	('mmap_flags', 'MAP_HUGE_16GB', 2281701376, 4227858432);	-- 34 << 26

-- mremap_flags: mremap (include/uapi/linux/mman.h).
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('mremap_flags', 'MREMAP_MAYMOVE', 1, 1),
	('mremap_flags', 'MREMAP_FIXED', 2, 2),
	('mremap_flags', 'MREMAP_DONTUNMAP', 4, 4);		-- 5.7+

-- remap_flags: remap_file_pages accepts MAP_NONBLOCK only; any other bit is
-- EINVAL (mm/mmap.c), so every other bit shows as unknown hex.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('remap_flags', 'MAP_NONBLOCK', 65536, 65536);		-- 0x010000

-- pkey_access: pkey_alloc(2)'s access rights (include/uapi/asm-generic/
-- mman-common.h).  No event here has such an argument yet (pkey_mprotect
-- takes the key, not its rights).  powerpc adds PKEY_DISABLE_EXECUTE 0x4;
-- arm64 (6.12+) adds PKEY_DISABLE_EXECUTE 0x4 and PKEY_DISABLE_READ 0x8.
INSERT INTO schema_flag (kind, name, value, mask) VALUES
	('pkey_access', 'PKEY_DISABLE_ACCESS', 1, 1),
	('pkey_access', 'PKEY_DISABLE_WRITE', 2, 2);
