// SPDX-License-Identifier: MIT
/*
 * snapshot: /proc read as it is, record by record.
 *
 * Every file is read whole into memory before any record of it is written,
 * so that a record never mixes two readings; /proc files say size 0, hence
 * read to the end.  The reader is the recorder's resolver thread, which the
 * recording excludes from its events, so these reads do not show up as calls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "snapshot.h"

/* /proc/@pid/@name whole (free()), its length in *@len; NULL with errno. */
static char *slurp(int pid, const char *name, size_t *len)
{
	char path[64];
	size_t cap = 16384, n = 0;
	char *buf, *tmp;
	int fd, e;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

		if (n == cap) {
			tmp = realloc(buf, cap * 2 + 1);
			if (!tmp)
				break;
			buf = tmp;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (!r) {
			buf[n] = '\0';
			*len = n;
			close(fd);
			return buf;
		}
		n += r;
	}
	free(buf);
	close(fd);
	errno = ENOMEM;
	return NULL;
}

/* readlink of /proc/@pid/@name into @out (NUL-terminated); its length or -1. */
static ssize_t proc_link(int pid, const char *name, char *out, size_t cap)
{
	char path[340];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	n = readlink(path, out, cap - 1);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return n;
}

struct stat_fields {
	char comm[64];
	int ppid;
	unsigned long long start_ticks;
};

/* "pid (comm) state ppid ... starttime(22)": comm may hold spaces and parentheses. */
static int read_stat(int pid, struct stat_fields *s)
{
	size_t len;
	char *text = slurp(pid, "stat", &len), *open, *close, *p;
	int field = 3;

	if (!text)
		return -errno;
	open = strchr(text, '(');
	close = strrchr(text, ')');
	if (!open || !close || close < open) {
		free(text);
		return -EINVAL;
	}
	len = close - open - 1 < (ptrdiff_t)sizeof(s->comm) - 1 ? (size_t)(close - open - 1)
								 : sizeof(s->comm) - 1;
	memcpy(s->comm, open + 1, len);
	s->comm[len] = '\0';
	p = close + 2;
	s->ppid = 0;
	s->start_ticks = 0;
	/* p is at field 3 (state) */
	while (p && *p) {
		if (field == 4)
			s->ppid = atoi(p);
		if (field == 22) {
			s->start_ticks = strtoull(p, NULL, 10);
			break;
		}
		p = strchr(p, ' ');
		if (p)
			p++;
		field++;
	}
	free(text);
	return 0;
}

/* A number of /proc/@pid/status ("Uid:\t0\t0..." -> the first). -1 if absent. */
static long long status_value(int pid, const char *key)
{
	size_t len, klen = strlen(key);
	char *text = slurp(pid, "status", &len);
	long long v = -1;

	if (!text)
		return -1;
	for (char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, klen) && l[klen] == ':') {
			v = strtoll(l + klen + 1, NULL, 10);
			break;
		}
	free(text);
	return v;
}

int rec_proc_tgid(int tid)
{
	long long v = status_value(tid, "Tgid");

	return v > 0 ? (int)v : 0;
}

/* The command line, escaped, in parts that each fit a record. */
static int put_cmdline(struct rec_marker *m, int tgid)
{
	/* escaping at most quadruples a byte */
	enum { PART = (REC_MARKER_MAX - 64) / 4 };
	size_t len = 0, done = 0;
	char *text = slurp(tgid, "cmdline", &len);
	int part = 0, n = 0;

	if (!text)
		return 0;
	/* the last argument's NUL ends the line, it separates nothing */
	if (len && text[len - 1] == '\0')
		len--;
	do {
		size_t take = len - done < PART ? len - done : PART;
		struct rec_line l;

		rec_line_start(&l, "cmdline");
		rec_line_fmt(&l, "%d", tgid);
		rec_line_fmt(&l, "%d", part++);
		rec_line_fmt(&l, "%d", done + take == len);
		rec_line_str(&l, text + done, take);
		if (!rec_marker_send(m, &l))
			n++;
		done += take;
	} while (done < len);
	free(text);
	return n;
}

static int put_threads(struct rec_marker *m, int tgid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		n += !rec_snapshot_thread(m, tgid, atoi(d->d_name));
	}
	if (dir)
		closedir(dir);
	return n;
}

struct maps_line {
	uint64_t start, end, offset;
	char perms[8];
	char dev[16];
	unsigned long long inode;
	const char *path;	/* into the maps text, up to the end of the line */
	size_t path_len;
};

/* One line of /proc/PID/maps: "start-end perms offset dev inode   path". */
static bool parse_maps_line(const char *line, size_t len, struct maps_line *m)
{
	char copy[256];
	int used = 0;

	/* the fixed part is short; the path may be long and holds anything */
	memcpy(copy, line, len < sizeof(copy) - 1 ? len : sizeof(copy) - 1);
	copy[len < sizeof(copy) - 1 ? len : sizeof(copy) - 1] = '\0';
	if (sscanf(copy, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %llu%n", &m->start, &m->end,
		   m->perms, &m->offset, m->dev, &m->inode, &used) != 6)
		return false;
	while ((size_t)used < len && line[used] == ' ')
		used++;
	m->path = line + used;
	m->path_len = len - used;
	return true;
}

static int put_maps(struct rec_marker *m, int tgid)
{
	size_t len = 0;
	char *text = slurp(tgid, "maps", &len);
	int count = 0;
	struct rec_line l;

	if (!text)
		return 0;
	for (char *p = text; p < text + len;) {
		char *nl = memchr(p, '\n', text + len - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		struct maps_line ml;

		if (parse_maps_line(p, n, &ml)) {
			rec_line_start(&l, "map");
			rec_line_fmt(&l, "%d", tgid);
			rec_line_fmt(&l, "0x%" PRIx64, ml.start);
			rec_line_fmt(&l, "0x%" PRIx64, ml.end);
			rec_line_str(&l, ml.perms, -1);
			rec_line_fmt(&l, "0x%" PRIx64, ml.offset);
			rec_line_str(&l, ml.dev, -1);
			rec_line_fmt(&l, "%llu", ml.inode);
			rec_line_str(&l, ml.path, ml.path_len);
			count += !rec_marker_send(m, &l);
		}
		p += n + 1;
	}
	free(text);
	rec_line_start(&l, "mapsend");
	rec_line_fmt(&l, "%d", tgid);
	rec_line_fmt(&l, "%d", count);
	rec_marker_send(m, &l);
	return count + 1;
}

static int put_fds(struct rec_marker *m, int tgid)
{
	char path[64], target[4096];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", tgid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		char name[300];
		struct rec_line l;
		ssize_t len;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(name, sizeof(name), "fd/%s", d->d_name);
		len = proc_link(tgid, name, target, sizeof(target));
		if (len < 0)
			continue;
		rec_line_start(&l, "fd");
		rec_line_fmt(&l, "%d", tgid);
		rec_line_str(&l, d->d_name, -1);
		rec_line_str(&l, target, len);
		n += !rec_marker_send(m, &l);
	}
	if (dir)
		closedir(dir);
	return n;
}

int rec_snapshot_process(struct rec_marker *m, int tgid, const char *reason)
{
	struct stat_fields st;
	char exe[4096] = "";
	struct rec_line l;
	long long uid;
	ssize_t exe_len;
	int n = 1;

	if (read_stat(tgid, &st))
		return -ESRCH;
	uid = status_value(tgid, "Uid");
	exe_len = proc_link(tgid, "exe", exe, sizeof(exe));
	rec_line_start(&l, "proc");
	rec_line_fmt(&l, "%d", tgid);
	rec_line_fmt(&l, "%d", st.ppid);
	if (uid >= 0)
		rec_line_fmt(&l, "%lld", uid);
	else
		rec_line_str(&l, "", 0);
	rec_line_fmt(&l, "%llu", st.start_ticks);
	rec_line_str(&l, st.comm, -1);
	rec_line_str(&l, exe, exe_len > 0 ? exe_len : 0);
	rec_line_str(&l, reason, -1);
	if (rec_marker_send(m, &l))
		return -EIO;
	n += put_cmdline(m, tgid);
	n += put_threads(m, tgid);
	n += put_maps(m, tgid);
	n += put_fds(m, tgid);
	return n;
}

int rec_snapshot_thread(struct rec_marker *m, int tgid, int tid)
{
	struct rec_line l;

	rec_line_start(&l, "thread");
	rec_line_fmt(&l, "%d", tgid);
	rec_line_fmt(&l, "%d", tid);
	return rec_marker_send(m, &l);
}

/* The maps line that holds @addr at file offset @off, if it is a file's. */
static bool find_in_maps(int tid, uint64_t addr, uint64_t off, struct maps_line *out,
			 char **text)
{
	size_t len = 0;

	*text = slurp(tid, "maps", &len);
	if (!*text)
		return false;
	for (char *p = *text; p < *text + len;) {
		char *nl = memchr(p, '\n', *text + len - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(*text + len - p);
		struct maps_line ml;

		if (parse_maps_line(p, n, &ml) && ml.start <= addr && addr < ml.end) {
			/*
			 * The mapping there now is the one the call made only if it maps
			 * the same offset at the same address; anything else (unmapped and
			 * replaced meanwhile) is not evidence of the call's file.
			 */
			if (ml.inode && ml.path_len && ml.offset + (addr - ml.start) == off) {
				*out = ml;
				return true;
			}
			return false;
		}
		p += n + 1;
	}
	return false;
}

/*
 * The descriptor as it is now, if it could still be the one mapped: a regular
 * file (or memfd) that holds the mapped range.  A descriptor closed and reused
 * since the call (ld.so closes each library right after mapping it) is
 * usually another file, often a smaller one; this rules out those, it does not
 * prove the rest (the record's time lets analyze check that no close or dup
 * touched the descriptor in between).
 */
static bool fd_still_fits(int tid, int fd, uint64_t off, uint64_t len, struct stat *st)
{
	char path[64];
	long page = sysconf(_SC_PAGESIZE);

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, fd);
	if (stat(path, st) || !S_ISREG(st->st_mode))
		return false;
	/* the last page mapped must start inside the file */
	return (uint64_t)st->st_size + page > off + len;
}

int rec_snapshot_file(struct rec_marker *m, int tid, uint64_t addr, uint64_t len, int fd,
		      uint64_t off)
{
	char *text = NULL, name[32], target[4096];
	int tgid = rec_proc_tgid(tid);
	struct maps_line ml;
	struct rec_line l;
	struct stat st;
	ssize_t n;
	int ret;

	rec_line_start(&l, "file");
	rec_line_fmt(&l, "%d", tgid);
	rec_line_fmt(&l, "%d", tid);
	rec_line_fmt(&l, "0x%" PRIx64, addr);
	rec_line_fmt(&l, "%" PRIu64, len);
	rec_line_fmt(&l, "%d", fd);
	if (tgid && find_in_maps(tid, addr, off, &ml, &text)) {
		rec_line_str(&l, ml.path, ml.path_len);
		rec_line_str(&l, "maps", -1);
		rec_line_str(&l, ml.dev, -1);
		rec_line_fmt(&l, "%llu", ml.inode);
	} else if (tgid && fd_still_fits(tid, fd, off, len, &st) &&
		   snprintf(name, sizeof(name), "fd/%d", fd) > 0 &&
		   (n = proc_link(tid, name, target, sizeof(target))) >= 0) {
		rec_line_str(&l, target, n);
		rec_line_str(&l, "fd", -1);
		rec_line_fmt(&l, "%02x:%02x", major(st.st_dev), minor(st.st_dev));
		rec_line_fmt(&l, "%llu", (unsigned long long)st.st_ino);
	} else {
		rec_line_str(&l, "", 0);
		rec_line_str(&l, "gone", -1);
		rec_line_str(&l, "", 0);
		rec_line_str(&l, "", 0);
	}
	ret = rec_marker_send(m, &l);
	free(text);
	return ret;
}

/* A mountinfo field, with the kernel's \NNN octal escapes undone, in place. */
static char *unoctal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return s;
}

int rec_snapshot_mounts(struct rec_marker *m)
{
	size_t len = 0;
	char *text = slurp(0, "mountinfo", &len), *save = NULL;
	int n = 0;

	if (!text)
		return -errno;
	/* "36 35 98:0 /root /mnt opts [optional...] - fstype source superopts" */
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[6] = { 0 }, *dash = strstr(line, " - "), *s2 = NULL, *tok;
		unsigned maj, min;
		struct rec_line l;
		int i = 0;

		if (!dash)
			continue;
		*dash = '\0';
		for (tok = strtok_r(line, " ", &s2); tok && i < 5; tok = strtok_r(NULL, " ", &s2))
			f[i++] = tok;
		if (i < 5 || sscanf(f[2], "%u:%u", &maj, &min) != 2)
			continue;
		s2 = NULL;
		f[0] = strtok_r(dash + 3, " ", &s2);	/* fstype */
		f[1] = strtok_r(NULL, " ", &s2);	/* source */
		if (!f[0])
			continue;
		rec_line_start(&l, "mount");
		rec_line_fmt(&l, "%02x:%02x", maj, min);
		rec_line_str(&l, unoctal(f[0]), -1);
		rec_line_str(&l, unoctal(f[4]), -1);
		rec_line_str(&l, f[1] ? unoctal(f[1]) : "", -1);
		n += !rec_marker_send(m, &l);
	}
	free(text);
	return n;
}
