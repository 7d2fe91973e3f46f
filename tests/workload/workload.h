/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_WORKLOAD_H
#define MAPTRAIL_WORKLOAD_H

/*
 * What the workloads (mapwork.c, injector.c, tests/vm/vmwork.c) share: the
 * kernel's return of a syscall(2) call, and the checks that stop a run that
 * went wrong, so that no capture comes from one.  Each workload defines
 * die() (its own prefix, its own way of writing) before using these.
 */

#include <errno.h>
#include <string.h>

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * The raw kernel return: syscall(2) turns -errno into -1 and sets errno, and
 * the trace holds the kernel's value, so undo that.  No mapping call returns
 * -1 as a valid value (brk reports failure by returning the old break).
 */
static inline long rawret(long r, int *err)
{
	*err = 0;
	if (r == -1) {
		*err = errno;
		return -(long)*err;
	}
	return r;
}

/*
 * A call that must succeed; for mmap and mremap, returns the address.  err is
 * a pointer and read here, because in ok("x", do_x(..., &err), &err) the
 * order of evaluating the arguments is unspecified.
 */
static inline long ok(const char *what, long r, const int *err)
{
	if (*err)
		die("%s failed: %s", what, strerror(*err));
	return r;
}

/* A call that must fail, with @want. */
static inline void want_errno(const char *what, int err, int want)
{
	if (err != want)
		die("%s: got errno %d (%s), expected %d (%s)", what, err, strerror(err), want,
		    strerror(want));
}

#endif
