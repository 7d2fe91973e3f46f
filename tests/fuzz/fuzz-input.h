/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FUZZ_INPUT_H
#define MAPTRAIL_FUZZ_INPUT_H

/*
 * fuzz-input: the readers under test open a path, so each input is written
 * to one memory file (memfd) of the process, rewritten for every input.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* fuzz_input_path - @data as the whole content of a file; its path (static, not freed). */
static inline const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];

	if (fd < 0) {
		fd = memfd_create("maptrail-fuzz.dat", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
		perror("fuzz input");
		abort();
	}
	return path;
}

#endif
