// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "output-check.h"
#include "output-renamed.h"
#include "error-line.h"

/* Copy @from to the open @to_fd: --append works on a copy, never on the original. */
static int copy_file(const char *from, int to_fd)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = open(from, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(to_fd, buf + done, n - done);

			if (w < 0) {
				int err = -errno;

				close(fd);
				return err;
			}
			done += w;
		}
	}
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * A temporary is ".BASE.maptrail-XXXXXX": hidden, beside its output, and
 * named so that no file of the user's (".app.db.backup") is ever taken for
 * one.
 */
#define TEMP_MARK	".maptrail-"
#define TEMP_MARK_LEN	(sizeof(TEMP_MARK) - 1)

/* The 6 characters mkostemp() puts in place of XXXXXX. */
static bool is_temp_suffix(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * Whether the temporary @name (in @dir_fd) is stale: its owner, which holds a
 * lock on it while it lives (flock(), released by the kernel however the
 * owner ends), is gone.  One created an instant ago may not be locked yet:
 * create_locked() notices when it was removed meanwhile.
 */
static bool temp_is_stale(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	bool stale;

	if (fd < 0)
		return false;
	stale = !fstat(fd, &st) && S_ISREG(st.st_mode) && !flock(fd, LOCK_EX | LOCK_NB);
	close(fd);	/* releases the lock, if taken */
	return stale;
}

/*
 * Whether @n is the name of a temporary for @base, or of a companion of one
 * (*@companion); @temp receives the temporary's name.
 */
static bool temp_name(const char *n, const char *base, char temp[NAME_MAX + 1], bool *companion)
{
	size_t len = strlen(base);
	const char *tail = n + 1 + len + TEMP_MARK_LEN + 6;

	if (n[0] != '.' || strncmp(n + 1, base, len) ||
	    strncmp(n + 1 + len, TEMP_MARK, TEMP_MARK_LEN) ||
	    strlen(n) < 1 + len + TEMP_MARK_LEN + 6 ||
	    !is_temp_suffix(n + 1 + len + TEMP_MARK_LEN) || (*tail && *tail != '-'))
		return false;
	*companion = *tail == '-';
	snprintf(temp, NAME_MAX + 1, "%.*s", (int)(tail - n), n);
	return true;
}

/*
 * Remove what killed writers of @base left in @dir: ".BASE.maptrail-XXXXXX"
 * whose owner is gone, and their companions ".BASE.maptrail-XXXXXX-*"
 * (analyze's -history), which are created after it and removed before it.
 * One line about @path in *@note (free()) names them; NULL when there were
 * none.
 */
static void collect_stale(const char *path, const char *dir, const char *base, char **note)
{
	char **names = NULL;
	int nr = 0, dir_fd;
	struct dirent *de;
	DIR *d;

	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return;
	d = fdopendir(dir_fd);
	if (!d) {
		close(dir_fd);
		return;
	}
	/* the temporaries first, then the companions that no temporary has any more */
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((de = readdir(d))) {
			char temp[NAME_MAX + 1], **more;
			bool companion;
			struct stat st;

			if (!temp_name(de->d_name, base, temp, &companion) || companion != (pass == 1))
				continue;
			if (companion ? !fstatat(dir_fd, temp, &st, AT_SYMLINK_NOFOLLOW)
				      : !temp_is_stale(dir_fd, temp))
				continue;	/* its owner lives */
			if (unlinkat(dir_fd, de->d_name, 0) < 0)
				continue;
			more = realloc(names, (nr + 1) * sizeof(*names));
			if (!more)
				continue;
			names = more;
			names[nr] = strdup(de->d_name);
			if (names[nr])
				nr++;
		}
	}
	closedir(d);
	if (nr) {
		char *list = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&list, &size);

		for (int i = 0; f && i < nr; i++)
			fprintf(f, "%s%s", i ? ", " : "", names[i]);
		if (f && !fclose(f) &&
		    asprintf(note, "%s: removed %s, left by a run that was killed", path, list) < 0)
			*note = NULL;
		free(list);
	}
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

/*
 * A new temporary, locked for as long as it lives (collect_stale() of
 * another run takes only unlocked ones).  If another run took it in the
 * instant between its creation and the lock, it is gone: make another.
 */
static int create_locked(char **tmp_path, const char *dir, const char *base)
{
	for (int attempt = 0; attempt < 10; attempt++) {
		struct stat st;
		int fd;

		if (asprintf(tmp_path, "%s/.%s" TEMP_MARK "XXXXXX", dir, base) < 0) {
			*tmp_path = NULL;
			return -ENOMEM;
		}
		fd = mkostemp(*tmp_path, O_CLOEXEC);
		if (fd < 0) {
			int err = -errno;

			free(*tmp_path);
			*tmp_path = NULL;
			return err;
		}
		if (!flock(fd, LOCK_EX) && !fstat(fd, &st) && st.st_nlink > 0)
			return fd;
		close(fd);
		free(*tmp_path);
		*tmp_path = NULL;
	}
	return -EAGAIN;
}

int cmn_out_renamed_prepare(struct cmn_out_renamed *out, const char *path, const struct cmn_out_rules *rules,
			    const struct stat *in_st, char **reason)
{
	char *dir_copy = strdup(path), *base_copy = strdup(path);
	char **tmp_path = &out->tmp;
	const char *dir, *base;
	struct stat st;
	int exists;
	mode_t mask;
	int fd = -1, ret = -1;

	out->path = path;
	out->tmp = NULL;
	out->note = NULL;
	out->lock_fd = -1;
	if (!dir_copy || !base_copy) {
		cmn_fail_path(reason, path, "out of memory");
		goto out;
	}
	exists = cmn_out_existing(path, &st, reason);
	if (exists < 0)
		goto out;
	if (exists && st.st_dev == in_st->st_dev && st.st_ino == in_st->st_ino) {
		cmn_fail_path(reason, path, "is the %s itself", rules->input);
		goto out;
	}
	if (exists && !rules->append && !rules->force) {
		cmn_fail_path(reason, path, "already exists (--force replaces it%s)",
			      rules->can_append ? ", --append adds this capture to it" : "");
		goto out;
	}
	if (exists && rules->append && !S_ISREG(st.st_mode)) {
		cmn_fail_path(reason, path, "is not a regular file: nothing to append to");
		goto out;
	}
	dir = dirname(dir_copy);
	base = basename(base_copy);
	collect_stale(path, dir, base, &out->note);
	fd = create_locked(tmp_path, dir, base);
	if (fd < 0) {
		cmn_fail_path(reason, path, "cannot create: %s", strerror(-fd));
		goto out;
	}
	mask = umask(0);
	umask(mask);
	/* a replaced file's mode is kept; a symbolic link's (0777) is not a file's */
	if (fchmod(fd, exists && S_ISREG(st.st_mode) ? st.st_mode & 07777 : 0666 & ~mask) < 0) {
		cmn_fail_path(reason, path, "cannot set mode: %s", strerror(errno));
		goto fail;
	}
	if (exists && rules->append) {
		int err = copy_file(path, fd);

		if (err < 0) {
			cmn_fail_path(reason, path, "cannot copy for --append: %s",
				      strerror(-err));
			goto fail;
		}
	}
	out->lock_fd = fd;	/* the lock lives as long as the temporary */
	fd = -1;
	ret = 0;
	goto out;
fail:
	unlink(*tmp_path);
	free(*tmp_path);
	*tmp_path = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(dir_copy);
	free(base_copy);
	return ret;
}

/* The lock goes with the temporary (a zeroed struct, never prepared, has neither). */
static void release(struct cmn_out_renamed *out)
{
	if (out->tmp && out->lock_fd >= 0)
		close(out->lock_fd);
	out->lock_fd = -1;
	free(out->tmp);
	out->tmp = NULL;
}

int cmn_out_renamed_publish(struct cmn_out_renamed *out, char **reason)
{
	struct stat st;

	/* what stands there may have changed since prepare: never over a device */
	if (cmn_out_existing(out->path, &st, reason) < 0)
		return -1;
	if (rename(out->tmp, out->path) < 0)
		return cmn_fail_path(reason, out->path, "cannot rename into place: %s", strerror(errno));
	release(out);
	return 0;
}

void cmn_out_renamed_discard(struct cmn_out_renamed *out)
{
	if (out->tmp)
		unlink(out->tmp);
	release(out);
	free(out->note);
	out->note = NULL;
}
