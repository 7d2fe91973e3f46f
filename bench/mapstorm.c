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

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: mapstorm --procs P --calls N\n");
	exit(2);
}

static long number(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1) {
		fprintf(stderr, "mapstorm: %s: '%s' is not a positive number\n",
			opt, s);
		exit(2);
	}
	return v;
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

int main(int argc, char **argv)
{
	long procs = 0, calls = 0, pg = sysconf(_SC_PAGESIZE), i, failed = 0;
	struct timespec t0, t1;
	int status, bad = 0;
	double secs;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = number("--procs", argv[++i]);
		else if (!strcmp(argv[i], "--calls") && i + 1 < argc)
			calls = number("--calls", argv[++i]);
		else
			usage();
	}
	if (!procs || !calls)
		usage();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "mapstorm: fork: %s\n", strerror(errno));
			bad = 1;
			break;
		}
		if (pid == 0) {
			/*
			 * A child must not outlive an interrupted benchmark:
			 * it would go on filling a trace nobody reads.
			 */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
				_exit(1);
			_exit(storm(calls, pg) ? 1 : 0);
		}
	}
	procs = i;
	/* Every child is waited for, even when a fork failed. */
	for (; i > 0; i--) {
		if (wait(&status) < 0) {
			fprintf(stderr, "mapstorm: wait: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("procs=%ld calls_per_proc=%ld total_calls=%ld seconds=%.3f calls_per_sec=%.0f\n",
	       procs, calls, procs * calls, secs, procs * calls / (secs > 0 ? secs : 1e-9));
	if (failed)
		fprintf(stderr, "mapstorm: %ld process(es) saw failing calls or died\n",
			failed);
	return bad || failed ? 1 : 0;
}
