/*
 * flipstorm — the load generator of bench/flip-capture.sh: a capture full of
 * findings (issue #14), where mapstorm's captures have none.
 *
 *	flipstorm --procs P --iterations N
 *
 * Forks P processes that share N iterations between them (the first N % P
 * processes take one more).  Each iteration maps 4 anonymous pages read-write,
 * writes into them, makes them read-execute (the write-then-execute flip that
 * a JIT or a loader of injected code makes), grows them to 8 pages with
 * mremap (MREMAP_MAYMOVE) and unmaps them: exactly four memory-mapping
 * system calls, so a run adds 8 * N sys_enter/sys_exit events to the trace.
 * The parent waits for all of them and prints one line:
 *
 *	procs=P iterations=N total_calls=T seconds=S calls_per_sec=R
 *
 * Calls go through syscall(2), as in mapstorm, so each one is exactly one
 * system call whatever libc does.  A call that fails is counted all the same
 * (it was made, and traced); the rest of that iteration is skipped, and the
 * child's exit status says so.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "storm-procs.h"

static void usage(void)
{
	fprintf(stderr, "usage: flipstorm --procs P --iterations N\n");
	exit(2);
}

/* One mmap RW -> write -> mprotect RX -> mremap grow -> munmap; false if a call failed. */
static int flip(long pg)
{
	long addr, r;

	addr = syscall(SYS_mmap, 0, 4 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == -1)
		return 0;
	/* The write that makes the later execute permission worth a finding. */
	memset((void *)addr, 0xc3, 4 * pg);
	if (syscall(SYS_mprotect, addr, 4 * pg, PROT_READ | PROT_EXEC) == -1)
		return 0;
	r = syscall(SYS_mremap, addr, 4 * pg, 8 * pg, MREMAP_MAYMOVE, 0);
	if (r == -1)
		return 0;
	return syscall(SYS_munmap, r, 8 * pg) != -1;
}

/* n iterations; returns how many failed. */
static long storm(long n, long pg)
{
	long i, failed = 0;

	for (i = 0; i < n; i++)
		if (!flip(pg))
			failed++;
	return failed;
}

/* A child's share: the iterations divided as evenly as they go. */
struct flip_share {
	long procs, iterations, pg;
};

static long flip_child(long i, void *arg)
{
	const struct flip_share *f = arg;

	return storm(f->iterations / f->procs + (i < f->iterations % f->procs), f->pg);
}

int main(int argc, char **argv)
{
	long procs = 0, iterations = 0, i;
	struct storm_run run;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = storm_number("flipstorm", "--procs", argv[++i]);
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = storm_number("flipstorm", "--iterations", argv[++i]);
		else
			usage();
	}
	if (!procs || !iterations)
		usage();
	if (procs > iterations)
		procs = iterations;

	if (storm_procs("flipstorm", procs, flip_child,
			&(struct flip_share){ procs, iterations, sysconf(_SC_PAGESIZE) }, &run) < 0)
		return 1;
	procs = run.forked;
	printf("procs=%ld iterations=%ld total_calls=%ld seconds=%.3f calls_per_sec=%.0f\n",
	       procs, iterations, 4 * iterations, run.seconds,
	       4 * iterations / (run.seconds > 0 ? run.seconds : 1e-9));
	if (run.failed)
		fprintf(stderr, "flipstorm: %ld process(es) saw failing calls or died\n",
			run.failed);
	return run.fork_failed || run.failed ? 1 : 0;
}
