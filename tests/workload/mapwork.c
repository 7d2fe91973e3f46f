/*
 * mapwork — the workload whose captures are maptrail's fixtures.
 *
 * It makes a fixed sequence of memory-mapping system calls, each through raw
 * syscall(2) so that libc cannot hide, split or rewrite a call (glibc's mmap,
 * mremap and brk wrappers all add behaviour), and prints one line per call so
 * that a test can check every call against the trace the kernel recorded.
 *
 * Output (stdout, one line per call, flushed per line, stable):
 *
 *	pid=1234
 *	call=mmap tid=1234 addr=0x0 len=16384 prot=0x3 flags=0x22 fd=-1 off=0 ret=0x7f0000000000 errno=0
 *	call=mprotect tid=1234 start=0x7f0000000001 len=4096 prot=0x1 ret=0xffffffffffffffea errno=22
 *
 * - The first line is `pid=N` (the process id, which is also the main
 *   thread's tid).
 * - Then `call=NAME tid=N`, the arguments named and ordered as the fields of
 *   the kernel's syscalls:sys_enter_NAME tracepoint:
 *	mmap              addr len prot flags fd off
 *	mprotect          start len prot
 *	mremap            addr old_len new_len flags new_addr
 *	munmap            addr len
 *	remap_file_pages  start size prot pgoff flags
 *	pkey_mprotect     start len prot pkey
 *	brk               brk
 *   then `ret=` and `errno=`.
 * - Addresses, prot and flags are hexadecimal with 0x; lengths, offsets and
 *   pgoff are decimal; fd and pkey are signed decimal (-1).  Every value
 *   parses with strtol/strtoul(s, NULL, 0).
 * - ret is the raw kernel return value as sys_exit_NAME's `ret` field holds
 *   it (-errno on failure, not libc's -1), printed exactly as that
 *   tracepoint's print format does: "0x%lx" of the 64-bit value.  So
 *   -EINVAL is ret=0xffffffffffffffea, and a line's ret can be compared as a
 *   string with the sys_exit line of `trace-cmd report`.
 * - errno is 0 on success, else the positive errno the call failed with.
 *
 * One sequence (repeated with --loops N, default 1):
 *	mmap anonymous RW; mmap of a temporary file, MAP_SHARED
 *	mprotect RW -> R -> RX (writable, then executable)
 *	mprotect at an unaligned address (EINVAL)
 *	mremap growing in place (flags 0)
 *	mremap of 4 pages that must move (MREMAP_MAYMOVE, the next page is taken)
 *	mremap MREMAP_MAYMOVE|MREMAP_FIXED onto an address we chose
 *	mremap of an unmapped range (EFAULT)
 *	remap_file_pages on the MAP_SHARED file mapping
 *	pkey_mprotect with pkey -1
 *	brk: query, grow, and back to where it was
 *	mprotect from a second thread
 *	munmap of everything mapped
 *
 * Every call's outcome is checked: an unexpected result is reported on
 * stderr and mapwork exits 1, so a fixture is never made from a run that did
 * not do what this comment says.
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

static long pg;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("mapwork: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Print one call's line; args is the already formatted argument list. */
static void emit(const char *call, const char *args, long ret, int err)
{
	printf("call=%s tid=%ld %s ret=0x%lx errno=%d\n", call,
	       (long)syscall(SYS_gettid), args, (unsigned long)ret, err);
	fflush(stdout);
}

static long do_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		    unsigned long flags, long fd, unsigned long off, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mmap, addr, len, prot, flags, fd, off), err);

	snprintf(args, sizeof(args),
		 "addr=0x%lx len=%lu prot=0x%lx flags=0x%lx fd=%ld off=%lu",
		 addr, len, prot, flags, fd, off);
	emit("mmap", args, r, *err);
	return r;
}

static long do_mprotect(unsigned long start, unsigned long len,
			unsigned long prot, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mprotect, start, len, prot), err);

	snprintf(args, sizeof(args), "start=0x%lx len=%lu prot=0x%lx",
		 start, len, prot);
	emit("mprotect", args, r, *err);
	return r;
}

static long do_mremap(unsigned long addr, unsigned long old_len,
		      unsigned long new_len, unsigned long flags,
		      unsigned long new_addr, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mremap, addr, old_len, new_len, flags,
				new_addr), err);

	snprintf(args, sizeof(args),
		 "addr=0x%lx old_len=%lu new_len=%lu flags=0x%lx new_addr=0x%lx",
		 addr, old_len, new_len, flags, new_addr);
	emit("mremap", args, r, *err);
	return r;
}

static long do_munmap(unsigned long addr, unsigned long len, int *err)
{
	char args[128];
	long r = rawret(syscall(SYS_munmap, addr, len), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu", addr, len);
	emit("munmap", args, r, *err);
	return r;
}

static long do_remap_file_pages(unsigned long start, unsigned long size,
				unsigned long prot, unsigned long pgoff,
				unsigned long flags, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_remap_file_pages, start, size, prot, pgoff,
				flags), err);

	snprintf(args, sizeof(args),
		 "start=0x%lx size=%lu prot=0x%lx pgoff=%lu flags=0x%lx",
		 start, size, prot, pgoff, flags);
	emit("remap_file_pages", args, r, *err);
	return r;
}

static long do_pkey_mprotect(unsigned long start, unsigned long len,
			     unsigned long prot, long pkey, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_pkey_mprotect, start, len, prot, pkey), err);

	snprintf(args, sizeof(args), "start=0x%lx len=%lu prot=0x%lx pkey=%ld",
		 start, len, prot, pkey);
	emit("pkey_mprotect", args, r, *err);
	return r;
}

static long do_brk(unsigned long brk, int *err)
{
	char args[64];
	long r = rawret(syscall(SYS_brk, brk), err);

	snprintf(args, sizeof(args), "brk=0x%lx", brk);
	emit("brk", args, r, *err);
	return r;
}

struct thread_arg {
	unsigned long addr;
	int err;
	long ret;
};

static void *second_thread(void *p)
{
	struct thread_arg *a = p;

	a->ret = do_mprotect(a->addr, pg, PROT_READ, &a->err);
	return NULL;
}

static void sequence(int fd)
{
	unsigned long anon, file, wx, grow, mv, dst, moved, fixed, hole, cur, top;
	struct thread_arg ta;
	pthread_t th;
	int err, e;
	long r;

	/* Anonymous, and a shared file mapping (remap_file_pages needs one). */
	anon = ok("mmap anonymous", do_mmap(0, 4 * pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	file = ok("mmap file", do_mmap(0, 4 * pg, PROT_READ | PROT_WRITE,
		  MAP_SHARED, fd, 0, &err), &err);
	memset((void *)file, 'm', pg);

	/* Writable, written to, then made executable: the W->X pattern. */
	wx = ok("mmap for W->X", do_mmap(0, pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	*(volatile unsigned char *)wx = 0xc3;	/* ret */
	ok("mprotect R", do_mprotect(wx, pg, PROT_READ, &err), &err);
	ok("mprotect RX", do_mprotect(wx, pg, PROT_READ | PROT_EXEC, &err), &err);

	/* start must be page aligned. */
	do_mprotect(anon + 1, pg, PROT_READ, &err);
	want_errno("unaligned mprotect", err, EINVAL);

	/*
	 * Grow in place: reserve 8 pages, give back the upper 4, grow the
	 * lower 4 into the hole.  Nothing else maps in between: no other
	 * thread exists here.
	 */
	grow = ok("mmap reserve", do_mmap(0, 8 * pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	ok("munmap upper half", do_munmap(grow + 4 * pg, 4 * pg, &err), &err);
	r = ok("mremap grow", do_mremap(grow, 4 * pg, 8 * pg, 0, 0, &err), &err);
	if ((unsigned long)r != grow)
		die("mremap grow in place returned 0x%lx, not 0x%lx", r, grow);

	/*
	 * Must move: 5 pages mapped, the first 4 grown to 8 with MAYMOVE; the
	 * fifth page is in the way, so the kernel has to relocate.
	 */
	mv = ok("mmap 5 pages", do_mmap(0, 5 * pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	moved = ok("mremap maymove", do_mremap(mv, 4 * pg, 8 * pg, MREMAP_MAYMOVE,
		   0, &err), &err);
	if (moved == mv)
		die("mremap MAYMOVE did not move (0x%lx)", moved);

	/*
	 * FIXED onto an address of our choosing: one we reserved, so that the
	 * kernel's implicit unmap of the target cannot hit anything else.
	 */
	dst = ok("mmap target", do_mmap(0, 8 * pg, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	fixed = ok("mremap fixed", do_mremap(moved, 8 * pg, 8 * pg,
		   MREMAP_MAYMOVE | MREMAP_FIXED, dst, &err), &err);
	if (fixed != dst)
		die("mremap FIXED returned 0x%lx, not 0x%lx", fixed, dst);

	/* The pages just vacated by the move are unmapped: EFAULT. */
	hole = moved;
	do_mremap(hole, pg, 2 * pg, 0, 0, &err);
	want_errno("mremap of unmapped range", err, EFAULT);

	/* Deprecated, emulated since 4.0, still a system call. */
	ok("remap_file_pages", do_remap_file_pages(file, pg, 0, 1, 0, &err), &err);

	/* pkey -1 means "no key": mprotect by another name. */
	ok("pkey_mprotect", do_pkey_mprotect(anon, pg, PROT_READ, -1, &err), &err);

	/*
	 * brk behind malloc's back: query, grow, and go back, so that malloc's
	 * idea of the break stays true.
	 */
	cur = do_brk(0, &err);
	top = do_brk(cur + 4 * pg, &err);
	if (top != cur + 4 * pg)
		die("brk grow to 0x%lx returned 0x%lx", cur + 4 * pg, top);
	top = do_brk(cur, &err);
	if (top != cur)
		die("brk back to 0x%lx returned 0x%lx", cur, top);

	/* The same call from another thread: a tid that is not the pid. */
	ta.addr = wx;
	if ((e = pthread_create(&th, NULL, second_thread, &ta)))
		die("pthread_create: %s", strerror(e));
	if ((e = pthread_join(th, NULL)))
		die("pthread_join: %s", strerror(e));
	ok("mprotect from second thread", ta.ret, &ta.err);

	ok("munmap anon", do_munmap(anon, 4 * pg, &err), &err);
	ok("munmap file", do_munmap(file, 4 * pg, &err), &err);
	ok("munmap wx", do_munmap(wx, pg, &err), &err);
	ok("munmap grown", do_munmap(grow, 8 * pg, &err), &err);
	ok("munmap fifth page", do_munmap(mv + 4 * pg, pg, &err), &err);
	ok("munmap fixed", do_munmap(fixed, 8 * pg, &err), &err);
}

static void usage(void)
{
	fprintf(stderr, "usage: mapwork [--loops N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/mapwork.XXXXXX";
	const char *tmpdir = getenv("TMPDIR");
	char pathbuf[4096];
	long loops = 1, i;
	char *end;
	int fd;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--loops") && i + 1 < argc) {
			errno = 0;
			loops = strtol(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || loops < 1)
				die("--loops: '%s' is not a positive number", argv[i]);
		} else {
			usage();
		}
	}
	pg = sysconf(_SC_PAGESIZE);

	printf("pid=%ld\n", (long)getpid());
	fflush(stdout);

	/*
	 * The file is unlinked at once: nothing is left behind whatever way
	 * mapwork ends, and the open fd keeps it alive for the mappings.
	 */
	if (tmpdir && *tmpdir)
		snprintf(pathbuf, sizeof(pathbuf), "%s/mapwork.XXXXXX", tmpdir);
	else
		snprintf(pathbuf, sizeof(pathbuf), "%s", path);
	fd = mkstemp(pathbuf);
	if (fd < 0)
		die("cannot create a temporary file %s: %s", pathbuf, strerror(errno));
	unlink(pathbuf);
	if (ftruncate(fd, 4 * pg) < 0)
		die("ftruncate %s: %s", pathbuf, strerror(errno));

	for (i = 0; i < loops; i++)
		sequence(fd);
	close(fd);
	return 0;
}
