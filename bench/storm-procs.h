/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark's load generators share: their numeric options (all),
 * and running N child processes that each make their share of the calls,
 * timed, every child waited for (mapstorm, flipstorm; racestorm's are
 * threads).  Inline: a generator uses what it needs of them.
 */
#ifndef MAPTRAIL_BENCH_STORM_PROCS_H
#define MAPTRAIL_BENCH_STORM_PROCS_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* @s as a positive number, or exit 2 naming @prog and @opt. */
static inline long storm_number(const char *prog, const char *opt, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1) {
		fprintf(stderr, "%s: %s: '%s' is not a positive number\n", prog, opt, s);
		exit(2);
	}
	return v;
}

struct storm_run {
	long forked;		/* children started */
	long failed;		/* of them, those that saw failing calls or died */
	int fork_failed;	/* a fork failed: fewer children than asked */
	double seconds;		/* from the first fork to the last child's end */
};

/*
 * @procs children, child @i running @child(@i, @arg) and exiting 1 when it
 * returns non-zero.  Returns 0, or -1 when wait() failed (said on stderr).
 */
static inline int storm_procs(const char *prog, long procs, long (*child)(long i, void *arg),
			      void *arg, struct storm_run *run)
{
	struct timespec t0, t1;
	int status;
	long i;

	memset(run, 0, sizeof(*run));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
			run->fork_failed = 1;
			break;
		}
		if (pid == 0) {
			/*
			 * A child must not outlive an interrupted benchmark:
			 * it would go on filling a trace nobody reads.
			 */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
				_exit(1);
			_exit(child(i, arg) ? 1 : 0);
		}
	}
	run->forked = i;
	/* Every child is waited for, even when a fork failed. */
	for (; i > 0; i--) {
		if (wait(&status) < 0) {
			fprintf(stderr, "%s: wait: %s\n", prog, strerror(errno));
			return -1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			run->failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return 0;
}

#endif
