/*
 * mapstorm — load generator for bench/analyze.sh.
 *
 *	mapstorm --procs P --calls N
 *
 * Forks P processes; each makes exactly N memory-mapping system calls in a
 * tight loop, cycling mmap (4 anonymous pages, RW) -> mprotect (R) ->
 * mremap (grow to 8 pages, MREMAP_MAYMOVE) -> munmap, then exits.  The parent
 * waits for all of them and prints one line:
 *
 *	procs=P calls_per_proc=N total_calls=T seconds=S calls_per_sec=R
 *
 * With syscall tracepoints on sys_enter_X and sys_exit_X for those four
 * calls, a run adds 2 * T events to the trace (and only those, from these
 * processes: the loop calls nothing else that maps memory).
 *
 * Calls go through syscall(2), as in mapwork, so each one is exactly one
 * system call whatever libc does.  A call that fails is counted all the same
 * (it was made, and traced), the cycle goes on (the calls after a failed mmap
 * fail harmlessly on address -1), and the child's exit status says so.
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
	fprintf(stderr, "usage: mapstorm --procs P --calls N\n");
	exit(2);
}

/* Exactly n calls; returns how many failed. */
static long storm(long n, long pg)
{
	long made = 0, failed = 0, addr = -1, r;

	while (made < n) {
		switch (made % 4) {
		case 0:
			addr = syscall(SYS_mmap, 0, 4 * pg, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			r = addr;
			break;
		case 1:
			r = syscall(SYS_mprotect, addr, 4 * pg, PROT_READ);
			break;
		case 2:
			r = syscall(SYS_mremap, addr, 4 * pg, 8 * pg,
				    MREMAP_MAYMOVE, 0);
			if (r != -1)
				addr = r;
			break;
		default:
			r = syscall(SYS_munmap, addr, 8 * pg);
			break;
		}
		made++;
		if (r == -1)
			failed++;
	}
	return failed;
}

/* A child's calls: the same number in every child. */
static long storm_child(long i, void *arg)
{
	const long *calls = arg;

	(void)i;
	return storm(calls[0], calls[1]);
}

int main(int argc, char **argv)
{
	long procs = 0, calls = 0, pg = sysconf(_SC_PAGESIZE), i;
	struct storm_run run;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = storm_number("mapstorm", "--procs", argv[++i]);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = storm_number("mapstorm", "--calls", argv[++i]);
		else
			usage();
	}
	if (!procs || !calls)
		usage();

	if (storm_procs("mapstorm", procs, storm_child, (long[]){ calls, pg }, &run) < 0)
		return 1;
	procs = run.forked;
	printf("procs=%ld calls_per_proc=%ld total_calls=%ld seconds=%.3f calls_per_sec=%.0f\n",
	       procs, calls, procs * calls, run.seconds,
	       procs * calls / (run.seconds > 0 ? run.seconds : 1e-9));
	if (run.failed)
		fprintf(stderr, "mapstorm: %ld process(es) saw failing calls or died\n",
			run.failed);
	return run.fork_failed || run.failed ? 1 : 0;
}
