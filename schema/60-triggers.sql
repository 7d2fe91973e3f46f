-- maptrail schema rows: the named triggers of the flight recorder
-- (maptrail record --flight --trigger NAME, schema_trigger in 00-tables.sql).
--
-- Only detections that one call's arguments decide belong here: the kernel
-- evaluates the filter on the entry event alone, with no history.  Bits:
-- PROT_WRITE 0x2, PROT_EXEC 0x4 (prot of mmap, mmap2, mprotect,
-- pkey_mprotect); MREMAP_FIXED 0x2 (mremap's flags).  A trigger on an event
-- the recording does not record (-e leaves it out, or the kernel has no
-- source for it) is left out of the recording's triggers, with a notice.
INSERT INTO schema_trigger (name, event, arg, bits, description) VALUES
	('wx', 'mmap', 'prot', 6, 'a mapping or a protection change to writable and executable'),
	('wx', 'mmap2', 'prot', 6, 'a mapping or a protection change to writable and executable'),
	('wx', 'mprotect', 'prot', 6, 'a mapping or a protection change to writable and executable'),
	('wx', 'pkey_mprotect', 'prot', 6, 'a mapping or a protection change to writable and executable'),
	('exec', 'mmap', 'prot', 4, 'anything mapped or made executable'),
	('exec', 'mmap2', 'prot', 4, 'anything mapped or made executable'),
	('exec', 'mprotect', 'prot', 4, 'anything mapped or made executable'),
	('exec', 'pkey_mprotect', 'prot', 4, 'anything mapped or made executable'),
	('fixed-remap', 'mremap', 'flags', 2, 'mremap with MREMAP_FIXED: pages moved onto a chosen address'),
	('remap_file_pages', 'remap_file_pages', NULL, NULL, 'any remap_file_pages call (deprecated, rare, used to hide code)');
