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

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: flipstorm --procs P --iterations N\n");
	exit(2);
}

static long number(const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1) {
		fprintf(stderr, "flipstorm: %s: '%s' is not a positive number\n",
			opt, s);
		exit(2);
	}
	return v;
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

int main(int argc, char **argv)
{
	long procs = 0, iterations = 0, pg = sysconf(_SC_PAGESIZE), i, failed = 0, share;
	struct timespec t0, t1;
	int status, bad = 0;
	double secs;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = number("--procs", argv[++i]);
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = number("--iterations", argv[++i]);
		else
			usage();
	}
	if (!procs || !iterations)
		usage();
	if (procs > iterations)
		procs = iterations;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < procs; i++) {
		share = iterations / procs + (i < iterations % procs);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "flipstorm: fork: %s\n", strerror(errno));
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
			_exit(storm(share, pg) ? 1 : 0);
		}
	}
	procs = i;
	/* Every child is waited for, even when a fork failed. */
	for (; i > 0; i--) {
		if (wait(&status) < 0) {
			fprintf(stderr, "flipstorm: wait: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("procs=%ld iterations=%ld total_calls=%ld seconds=%.3f calls_per_sec=%.0f\n",
	       procs, iterations, 4 * iterations, secs,
	       4 * iterations / (secs > 0 ? secs : 1e-9));
	if (failed)
		fprintf(stderr, "flipstorm: %ld process(es) saw failing calls or died\n",
			failed);
	return bad || failed ? 1 : 0;
}
