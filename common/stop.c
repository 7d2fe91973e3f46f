// SPDX-License-Identifier: MIT
#include <signal.h>

#include "stop.h"

/* Written by a signal handler, read by every thread: sig_atomic_t, volatile. */
static volatile sig_atomic_t stop_signal;

void cmn_stop_request(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

int cmn_stop_signal(void)
{
	return stop_signal;
}

int cmn_stop_progress(void *arg)
{
	(void)arg;
	return stop_signal != 0;
}
