// SPDX-License-Identifier: MIT
#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "stop.h"

/* Written by a signal handler, read by every thread: sig_atomic_t, volatile. */
static volatile sig_atomic_t stop_signal;

/* The time budget: set before the work starts, read by the threads that run SQL. */
static struct timespec deadline;
static bool has_deadline;
static volatile sig_atomic_t expired;

void cmn_stop_request(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

int cmn_stop_signal(void)
{
	return stop_signal;
}

void cmn_stop_after(double seconds)
{
	expired = 0;
	has_deadline = seconds > 0;
	if (!has_deadline)
		return;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
}

int cmn_stop_expired(void)
{
	return expired;
}

int cmn_stop_progress(void *arg)
{
	struct timespec now;

	(void)arg;
	if (stop_signal || expired)
		return 1;
	if (!has_deadline)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
		expired = 1;
	return expired;
}
