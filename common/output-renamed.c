// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output-renamed.h"
#include "error-line.h"

/* Copy @from to the open @to_fd: --append works on a copy, never on the original. */
static int copy_file(const char *from, int to_fd)
{
	char buf[1 << 16];
	ssize_t n;
	int fd = open(from, O_RDONLY | O_CLOEXEC);

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

int cmn_out_renamed_prepare(struct cmn_out_renamed *out, const char *path, const struct cmn_out_rules *rules,
		   const struct stat *in_st, char **reason)
{
	char *dir_copy = strdup(path), *base_copy = strdup(path);
	char **tmp_path = &out->tmp;
	struct stat st;
	bool exists;
	mode_t mask;
	int fd = -1, ret = -1;

	out->path = path;
	out->tmp = NULL;
	if (!dir_copy || !base_copy) {
		cmn_fail_path(reason, path, "out of memory");
		goto out;
	}
	exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		cmn_fail_path(reason, path, "is a directory");
		goto out;
	}
	if (exists && st.st_dev == in_st->st_dev && st.st_ino == in_st->st_ino) {
		cmn_fail_path(reason, path, "is the %s itself", rules->input);
		goto out;
	}
	if (exists && !rules->append && !rules->force) {
		cmn_fail_path(reason, path, "already exists (--force replaces it%s)",
			   rules->can_append ? ", --append adds this capture to it" : "");
		goto out;
	}
	if (asprintf(tmp_path, "%s/.%s.XXXXXX", dirname(dir_copy), basename(base_copy)) < 0) {
		*tmp_path = NULL;
		cmn_fail_path(reason, path, "out of memory");
		goto out;
	}
	fd = mkostemp(*tmp_path, O_CLOEXEC);
	if (fd < 0) {
		cmn_fail_path(reason, path, "cannot create: %s", strerror(errno));
		free(*tmp_path);
		*tmp_path = NULL;
		goto out;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask) < 0) {
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

int cmn_out_renamed_publish(struct cmn_out_renamed *out, char **reason)
{
	if (rename(out->tmp, out->path) < 0)
		return cmn_fail_path(reason, out->path, "cannot rename into place: %s", strerror(errno));
	free(out->tmp);
	out->tmp = NULL;
	return 0;
}

void cmn_out_renamed_discard(struct cmn_out_renamed *out)
{
	if (!out->tmp)
		return;
	unlink(out->tmp);
	free(out->tmp);
	out->tmp = NULL;
}
