/*
 * injector — a workload that behaves like an injected loader, for the
 * detection tests (tests/e2e/detections.sh).
 *
 * It does what shellcode loaders, unpackers and in-memory patchers do to an
 * address space, one step after another, each memory call through raw
 * syscall(2) (libc's wrappers add, split or hide calls), and prints one line
 * per call so that a checker can find the call row, and the finding it
 * should produce, in the database of a capture of it.
 *
 * Output (stdout, one line per call, flushed per line):
 *
 *	pid=1234 page=4096 steps=rwx,w-then-x,...
 *	step=rwx op=map-rwx call=mmap pid=1234 tid=1234 addr=0x0 len=4096 prot=0x7 flags=0x22 fd=-1 off=0 ret=0x7f12a000 errno=0
 *
 * - The first line: the process id, the page size and the steps chosen.
 * - Then per call: `step=` the step's name (below), `op=` what the call is
 *   for within its step (stable names a checker keys on), `call=` the call
 *   table / system call, `pid=` the process (tgid), `tid=` the thread, then
 *   the arguments: `addr=` and `len=` first, as the memory_call view names
 *   them (mremap: old_address, old_size; remap_file_pages: addr, size), then
 *   the others under the schema's names (`maptrail schema CALL`):
 *	mmap              addr len prot flags fd off
 *	mprotect          addr len prot
 *	munmap            addr len
 *	mremap            addr len new_size flags new_address
 *	remap_file_pages  addr len prot pgoff flags
 *   then `ret=` (the raw kernel return, -errno on failure, "0x%lx" as
 *   sys_exit's ret) and `errno=` (0 on success).
 * - Addresses, prot and flags are hex with 0x, lengths and offsets decimal,
 *   fd signed decimal: every value parses with strtol/strtoul(s, NULL, 0).
 *
 * Steps, in this order, a few milliseconds apart (--steps picks some, by
 * letter or name; default all):
 *	a  rwx               mmap anonymous PROT_READ|PROT_WRITE|PROT_EXEC at once
 *	b  w-then-x          mmap 3 pages RW, write a `ret`, mprotect all 3 to RX
 *	                     (and call it)
 *	b2 prior-unknown     mprotect to RX of a page of this binary's .bss: mapped
 *	                     by the kernel at exec, never by a call the capture saw
 *	b3 span              mmap 4 pages RW, munmap the upper 2, mmap 2 pages R
 *	                     there (MAP_FIXED_NOREPLACE: the hole is ours, nothing
 *	                     can be clobbered), then one mprotect to RWX over all 4:
 *	                     one call over two mappings of different protection
 *	c  code-patching     mmap RX, mprotect RW (code made writable), write,
 *	                     mprotect RX again
 *	d  mremap-over       mmap a victim (RW, filled), mmap a source (filled),
 *	                     mremap(source, MREMAP_MAYMOVE|MREMAP_FIXED, victim):
 *	                     the victim is silently replaced by the source's pages
 *	e  remap-file-pages  a temporary file mapped MAP_SHARED, 4 pages;
 *	                     remap_file_pages puts file page 3 at the first page
 *	f  probing           30 failing calls in a burst: mprotect of unmapped
 *	                     addresses (ENOMEM), mmap with no mapping type or no
 *	                     length (EINVAL), munmap misaligned (EINVAL), mprotect
 *	                     to writable of a read-only shared file mapping
 *	                     (EACCES), mremap of unmapped addresses (EFAULT)
 *	g  race              two threads mprotect overlapping ranges of one mapping
 *	                     about 100 us apart (released together by a barrier),
 *	                     5 rounds
 *	h  cleanup           munmap of everything the steps left mapped (the .bss
 *	                     page of b2 is the binary's, not ours: left RX)
 *
 * Every outcome is checked: anything unexpected is reported on stderr and
 * injector exits 1, so no test is ever run on a capture of a run that did
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
#include <time.h>
#include <unistd.h>

#include "workload.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)
#define RWX (PROT_READ | PROT_WRITE | PROT_EXEC)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* Addresses no process maps: below every executable and library, above mmap_min_addr. */
#define UNMAPPED 0x10000UL

#define RACE_ROUNDS 5
#define RACE_GAP_NS 100000L

static long pg;
static const char *step;	/* the step being run, for the lines */

/* What the steps leave mapped, for cleanup (h). */
static struct { unsigned long addr, len; } owned[16];
static int nowned;

/*
 * A page of .bss of its own (aligned and sized in whole pages of any page
 * size up to 64 KiB): the kernel mapped it at exec, so the capture never saw
 * a call map it.  volatile: it is written to, then made executable.
 */
static volatile unsigned char bss_pages[2 * 65536] __attribute__((aligned(65536)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "injector: %s: ", step ? step : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void emit(const char *op, const char *call, const char *args, long ret, int err)
{
	printf("step=%s op=%s call=%s pid=%ld tid=%ld %s ret=0x%lx errno=%d\n", step, op, call,
	       (long)getpid(), (long)syscall(SYS_gettid), args, (unsigned long)ret, err);
	fflush(stdout);
}

static long do_mmap(const char *op, unsigned long addr, unsigned long len, unsigned long prot,
		    unsigned long flags, long fd, unsigned long off, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mmap, addr, len, prot, flags, fd, off), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu prot=0x%lx flags=0x%lx fd=%ld off=%lu",
		 addr, len, prot, flags, fd, off);
	emit(op, "mmap", args, r, *err);
	return r;
}

static long do_mprotect(const char *op, unsigned long addr, unsigned long len,
			unsigned long prot, int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mprotect, addr, len, prot), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu prot=0x%lx", addr, len, prot);
	emit(op, "mprotect", args, r, *err);
	return r;
}

static long do_munmap(const char *op, unsigned long addr, unsigned long len, int *err)
{
	char args[128];
	long r = rawret(syscall(SYS_munmap, addr, len), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu", addr, len);
	emit(op, "munmap", args, r, *err);
	return r;
}

static long do_mremap(const char *op, unsigned long addr, unsigned long len,
		      unsigned long new_size, unsigned long flags, unsigned long new_address,
		      int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_mremap, addr, len, new_size, flags, new_address), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu new_size=%lu flags=0x%lx new_address=0x%lx",
		 addr, len, new_size, flags, new_address);
	emit(op, "mremap", args, r, *err);
	return r;
}

static long do_remap_file_pages(const char *op, unsigned long addr, unsigned long len,
				unsigned long prot, unsigned long pgoff, unsigned long flags,
				int *err)
{
	char args[256];
	long r = rawret(syscall(SYS_remap_file_pages, addr, len, prot, pgoff, flags), err);

	snprintf(args, sizeof(args), "addr=0x%lx len=%lu prot=0x%lx pgoff=%lu flags=0x%lx",
		 addr, len, prot, pgoff, flags);
	emit(op, "remap_file_pages", args, r, *err);
	return r;
}

static void own(unsigned long addr, unsigned long len)
{
	if (nowned == (int)(sizeof(owned) / sizeof(owned[0])))
		die("too many mappings to remember");
	owned[nowned].addr = addr;
	owned[nowned].len = len;
	nowned++;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ms * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Write a `ret` (one instruction: returns at once) at p, which must be writable. */
static void plant_ret(unsigned long p)
{
#if defined(__x86_64__) || defined(__i386__)
	*(volatile unsigned char *)p = 0xc3;
#elif defined(__aarch64__)
	*(volatile unsigned int *)p = 0xd65f03c0;
#endif
}

/* Call the `ret` planted at p, now executable: the memory really is used as code. */
static void run_ret(unsigned long p)
{
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
	void (*fn)(void);

	__builtin___clear_cache((char *)p, (char *)p + 4);
	memcpy(&fn, &p, sizeof(fn));
	fn();
#endif
}

static void step_rwx(void)
{
	unsigned long a;
	int err;

	a = ok("mmap RWX", do_mmap("map-rwx", 0, pg, RWX, ANON, -1, 0, &err), &err);
	plant_ret(a);
	run_ret(a);
	own(a, pg);
}

static void step_w_then_x(void)
{
	unsigned long a;
	int err;

	a = ok("mmap RW", do_mmap("map-rw", 0, 3 * pg, RW, ANON, -1, 0, &err), &err);
	memset((void *)a, 0x90, 3 * pg);
	plant_ret(a);
	ok("mprotect RX", do_mprotect("flip-rx", a, 3 * pg, RX, &err), &err);
	run_ret(a);	/* the ret written before the flip */
	own(a, 3 * pg);
}

static void step_prior_unknown(void)
{
	unsigned long a = ((unsigned long)bss_pages + pg - 1) & ~(pg - 1);
	int err;

	if (a + pg > (unsigned long)bss_pages + sizeof(bss_pages))
		die("page size %ld is larger than the .bss buffer allows", pg);
	plant_ret(a);
	ok("mprotect .bss RX", do_mprotect("bss-rx", a, pg, RX, &err), &err);
	run_ret(a);
}

static void step_span(void)
{
	unsigned long a, r;
	int err;

	a = ok("mmap RW", do_mmap("map-rw", 0, 4 * pg, RW, ANON, -1, 0, &err), &err);
	memset((void *)a, 0x90, 4 * pg);
	ok("munmap upper half", do_munmap("unmap-upper", a + 2 * pg, 2 * pg, &err), &err);
	r = ok("mmap R", do_mmap("map-r", a + 2 * pg, 2 * pg, PROT_READ,
				 ANON | MAP_FIXED_NOREPLACE, -1, 0, &err), &err);
	if (r != a + 2 * pg)
		die("mmap MAP_FIXED_NOREPLACE at 0x%lx returned 0x%lx", a + 2 * pg, r);
	ok("mprotect RWX over both", do_mprotect("span-rwx", a, 4 * pg, RWX, &err), &err);
	own(a, 4 * pg);
}

static void step_code_patching(void)
{
	unsigned long a;
	int err;

	a = ok("mmap RX", do_mmap("map-rx", 0, pg, RX, ANON, -1, 0, &err), &err);
	ok("mprotect RW", do_mprotect("patch-rw", a, pg, RW, &err), &err);
	plant_ret(a);
	ok("mprotect RX", do_mprotect("patch-rx", a, pg, RX, &err), &err);
	run_ret(a);
	own(a, pg);
}

static void step_mremap_over(void)
{
	unsigned long victim, source, r;
	int err;

	victim = ok("mmap victim", do_mmap("map-victim", 0, 2 * pg, RW, ANON, -1, 0, &err), &err);
	memset((void *)victim, 'V', 2 * pg);
	source = ok("mmap source", do_mmap("map-source", 0, 2 * pg, RW, ANON, -1, 0, &err), &err);
	memset((void *)source, 'S', 2 * pg);
	r = ok("mremap over the victim", do_mremap("move-over", source, 2 * pg, 2 * pg,
						   MREMAP_MAYMOVE | MREMAP_FIXED, victim, &err), &err);
	if (r != victim)
		die("mremap MREMAP_FIXED returned 0x%lx, not 0x%lx", r, victim);
	if (((volatile char *)victim)[0] != 'S' || ((volatile char *)victim)[2 * pg - 1] != 'S')
		die("the victim's address does not hold the source's pages");
	own(victim, 2 * pg);
}

static void step_remap_file_pages(int fd)
{
	unsigned long a;
	long i;
	int err;

	if (ftruncate(fd, 4 * pg) < 0)
		die("ftruncate: %s", strerror(errno));
	a = ok("mmap shared file", do_mmap("map-file", 0, 4 * pg, RW, MAP_SHARED, fd, 0, &err),
	       &err);
	for (i = 0; i < 4; i++)
		memset((void *)(a + i * pg), 'A' + i, pg);
	/* prot must be 0 (the call is deprecated: it ignores nothing else) */
	ok("remap_file_pages", do_remap_file_pages("remap", a, pg, 0, 3, 0, &err), &err);
	if (*(volatile char *)a != 'D')
		die("remap_file_pages: the first page shows '%c', not file page 3", *(char *)a);
	own(a, 4 * pg);
}

static void step_probing(void)
{
	unsigned long ro;
	char what[32];
	int err, fd, i;

	/* A read-only shared mapping of a file opened read-only: never writable. */
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open /proc/self/exe: %s", strerror(errno));
	ro = ok("mmap read-only file", do_mmap("map-ro", 0, pg, PROT_READ, MAP_SHARED, fd, 0,
					       &err), &err);
	close(fd);
	own(ro, pg);
	pause_ms(5);

	for (i = 0; i < 8; i++) {
		snprintf(what, sizeof(what), "probe-enomem-%d", i);
		do_mprotect(what, UNMAPPED + i * pg, pg, RW, &err);
		want_errno(what, err, ENOMEM);
	}
	for (i = 0; i < 6; i++) {
		snprintf(what, sizeof(what), "probe-mmap-einval-%d", i);
		/* no mapping type (neither shared nor private), or no length */
		if (i % 2 == 0)
			do_mmap(what, 0, pg, RW, MAP_ANONYMOUS, -1, 0, &err);
		else
			do_mmap(what, 0, 0, RW, ANON, -1, 0, &err);
		want_errno(what, err, EINVAL);
	}
	for (i = 0; i < 6; i++) {
		snprintf(what, sizeof(what), "probe-munmap-einval-%d", i);
		do_munmap(what, ro + 1 + i, pg, &err);
		want_errno(what, err, EINVAL);
	}
	for (i = 0; i < 5; i++) {
		snprintf(what, sizeof(what), "probe-eacces-%d", i);
		do_mprotect(what, ro, pg, i % 2 ? RW : PROT_WRITE, &err);
		want_errno(what, err, EACCES);
	}
	for (i = 0; i < 5; i++) {
		snprintf(what, sizeof(what), "probe-efault-%d", i);
		do_mremap(what, UNMAPPED + i * pg, pg, 2 * pg, 0, 0, &err);
		want_errno(what, err, EFAULT);
	}
}

struct racer {
	pthread_barrier_t start, done;
	unsigned long addr;
	int failed;
};

/* The second thread: in each round, ~100 us after the main thread, an overlapping range. */
static void *race_second(void *p)
{
	struct racer *rc = p;
	char what[32];
	long t0;
	int r, err;

	for (r = 1; r <= RACE_ROUNDS; r++) {
		pthread_barrier_wait(&rc->start);
		t0 = now_ns();
		while (now_ns() - t0 < RACE_GAP_NS)
			;
		snprintf(what, sizeof(what), "round%d-b", r);
		do_mprotect(what, rc->addr + pg, 3 * pg, RW, &err);
		if (err)
			rc->failed = err;
		pthread_barrier_wait(&rc->done);
	}
	return NULL;
}

static void step_race(void)
{
	struct racer rc = { .failed = 0 };
	char what[32];
	pthread_t th;
	int r, e, err;

	rc.addr = ok("mmap", do_mmap("map-race", 0, 4 * pg, RW, ANON, -1, 0, &err), &err);
	own(rc.addr, 4 * pg);
	if (pthread_barrier_init(&rc.start, NULL, 2) || pthread_barrier_init(&rc.done, NULL, 2))
		die("pthread_barrier_init failed");
	if ((e = pthread_create(&th, NULL, race_second, &rc)))
		die("pthread_create: %s", strerror(e));
	pause_ms(5);	/* the thread's own start-up calls (stack, guard) out of the way */
	for (r = 1; r <= RACE_ROUNDS; r++) {
		pthread_barrier_wait(&rc.start);
		snprintf(what, sizeof(what), "round%d-a", r);
		ok(what, do_mprotect(what, rc.addr, 3 * pg, PROT_READ, &err), &err);
		pthread_barrier_wait(&rc.done);
		pause_ms(3);
	}
	if ((e = pthread_join(th, NULL)))
		die("pthread_join: %s", strerror(e));
	if (rc.failed)
		die("the second thread's mprotect failed: %s", strerror(rc.failed));
	pthread_barrier_destroy(&rc.start);
	pthread_barrier_destroy(&rc.done);
}

static void step_cleanup(void)
{
	char what[32];
	int i, err;

	for (i = 0; i < nowned; i++) {
		snprintf(what, sizeof(what), "unmap-%d", i);
		ok(what, do_munmap(what, owned[i].addr, owned[i].len, &err), &err);
	}
	nowned = 0;
}

static const struct {
	const char *letter, *name;
	int file;	/* takes the temporary file */
	void (*run)(void);
	void (*run_fd)(int fd);
} steps[] = {
	{ "a", "rwx", 0, step_rwx, NULL },
	{ "b", "w-then-x", 0, step_w_then_x, NULL },
	{ "b2", "prior-unknown", 0, step_prior_unknown, NULL },
	{ "b3", "span", 0, step_span, NULL },
	{ "c", "code-patching", 0, step_code_patching, NULL },
	{ "d", "mremap-over", 0, step_mremap_over, NULL },
	{ "e", "remap-file-pages", 1, NULL, step_remap_file_pages },
	{ "f", "probing", 0, step_probing, NULL },
	{ "g", "race", 0, step_race, NULL },
	{ "h", "cleanup", 0, step_cleanup, NULL },
};
#define NSTEPS ((int)(sizeof(steps) / sizeof(steps[0])))

static void usage(void)
{
	int i;

	fprintf(stderr, "usage: injector [--steps STEP,...]\nsteps (letter or name):");
	for (i = 0; i < NSTEPS; i++)
		fprintf(stderr, " %s=%s", steps[i].letter, steps[i].name);
	fputc('\n', stderr);
	exit(2);
}

/* Marks the steps named in list (letters or names, comma-separated) in chosen. */
static void choose(char *list, int *chosen)
{
	char *tok, *save = NULL;
	int i;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NSTEPS; i++)
			if (!strcmp(tok, steps[i].letter) || !strcmp(tok, steps[i].name))
				break;
		if (i == NSTEPS) {
			fprintf(stderr, "injector: --steps: '%s' is not a step\n", tok);
			usage();
		}
		chosen[i] = 1;
	}
}

int main(int argc, char **argv)
{
	const char *tmpdir = getenv("TMPDIR");
	int chosen[NSTEPS] = { 0 };
	char path[4096];
	int i, any = 0, fd = -1, first = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--steps") && i + 1 < argc) {
			choose(argv[++i], chosen);
			any = 1;
		} else {
			usage();
		}
	}
	for (i = 0; i < NSTEPS && !any; i++)
		chosen[i] = 1;
	pg = sysconf(_SC_PAGESIZE);

	printf("pid=%ld page=%ld steps=", (long)getpid(), pg);
	for (i = 0; i < NSTEPS; i++)
		if (chosen[i]) {
			printf("%s%s", first ? "" : ",", steps[i].name);
			first = 0;
		}
	printf("\n");
	fflush(stdout);

	for (i = 0; i < NSTEPS; i++) {
		if (!chosen[i])
			continue;
		step = steps[i].name;
		if (steps[i].file) {
			/* unlinked at once: nothing is left behind, the fd keeps it */
			snprintf(path, sizeof(path), "%s/injector.XXXXXX",
				 tmpdir && *tmpdir ? tmpdir : "/tmp");
			fd = mkstemp(path);
			if (fd < 0)
				die("cannot create a temporary file %s: %s", path, strerror(errno));
			unlink(path);
			steps[i].run_fd(fd);
		} else {
			steps[i].run();
		}
		pause_ms(5);
	}
	/* the file's mapping keeps it until cleanup; closing it now changes nothing */
	if (fd >= 0)
		close(fd);
	return 0;
}
