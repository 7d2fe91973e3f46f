// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error-line.h"
#include "output-check.h"
#include "output-linked.h"

/* The line, and the errno the caller returns. */
__attribute__((format(printf, 3, 4)))
static int fail(char **err, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cmn_vfail(err, fmt, ap);
	va_end(ap);
	return -e;
}

int cmn_out_linked_open(struct cmn_out_linked *o, const char *path, bool force, char **err)
{
	struct stat st;
	char *copy = strdup(path);

	o->path = path;
	o->fd = -1;
	if (!copy || !(o->dir = strdup(dirname(copy)))) {
		free(copy);
		return fail(err, ENOMEM, "out of memory");
	}
	free(copy);
	switch (cmn_out_existing(path, &st, err)) {
	case -1:
		return -EINVAL;		/* a directory, a device, ...: never replaced */
	case 1:
		if (!force)
			return fail(err, EEXIST, "%s: already exists (--force replaces it)", path);
		break;
	}
	o->fd = open(o->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
	if (o->fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		if (asprintf(&o->named, "%s/.maptrail-record.XXXXXX", o->dir) < 0)
			return fail(err, ENOMEM, "out of memory");
		o->fd = mkostemp(o->named, O_CLOEXEC);
		if (o->fd < 0) {
			free(o->named);
			o->named = NULL;
		}
	}
	if (o->fd < 0)
		return fail(err, errno, "%s: cannot write in %s: %s", path, o->dir,
			    strerror(errno));
	return 0;
}

int cmn_out_linked_publish(struct cmn_out_linked *o, bool force, char **err)
{
	char proc[64], *tmp = NULL;
	struct stat st;
	int ret = 0;

	if (fsync(o->fd))
		return fail(err, errno, "%s: %s", o->path, strerror(errno));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (!force) {
		if (o->named ? link(o->named, o->path)
			     : linkat(AT_FDCWD, proc, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW))
			return fail(err, errno, "%s: %s", o->path, errno == EEXIST ?
				    "already exists (--force replaces it)" : strerror(errno));
		return 0;
	}
	/* what stands there may have changed since the open: never over a device */
	if (cmn_out_existing(o->path, &st, err) < 0)
		return -EINVAL;
	if (o->named)
		return rename(o->named, o->path) ? fail(err, errno, "%s: %s", o->path,
							strerror(errno)) : 0;
	/* a name of our own next to the output, then renamed over it */
	if (asprintf(&tmp, "%s/.maptrail-record.%d.tmp", o->dir, (int)getpid()) < 0)
		return fail(err, ENOMEM, "out of memory");
	unlink(tmp);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) ||
	    rename(tmp, o->path)) {
		ret = fail(err, errno, "%s: %s", o->path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

void cmn_out_linked_close(struct cmn_out_linked *o, bool published)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->named && !published)
		unlink(o->named);
	free(o->named);
	free(o->dir);
}
