// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "error-line.h"
#include "output-check.h"

static const char *kind_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

int cmn_out_existing(const char *path, struct stat *st, char **reason)
{
	struct stat target;

	if (lstat(path, st) < 0) {
		if (errno == ENOENT)
			return 0;
		return cmn_fail_path(reason, path, "%s", strerror(errno));
	}
	if (S_ISLNK(st->st_mode)) {
		if (stat(path, &target) < 0)
			return 1;	/* dangling: the link is what is replaced */
		if (S_ISDIR(target.st_mode))
			return cmn_fail_path(reason, path, "is a directory");
		if (S_ISREG(target.st_mode))
			*st = target;
		return 1;
	}
	if (S_ISDIR(st->st_mode))
		return cmn_fail_path(reason, path, "is a directory");
	if (!S_ISREG(st->st_mode))
		return cmn_fail_path(reason, path, "is %s; maptrail writes and replaces only regular"
				     " files", kind_name(st->st_mode));
	return 1;
}
