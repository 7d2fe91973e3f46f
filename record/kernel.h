/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_KERNEL_H
#define MAPTRAIL_REC_KERNEL_H

/*
 * kernel: the facts of the running kernel the plan needs, read from tracefs
 * (kprobe_events, README, events/) and /proc/kallsyms.  The symbol lists are
 * read once, on the first lookup.
 */

#include "plan.h"

/*
 * rec_kernel_open - describe the running kernel, whose tracefs is at
 * @tracing_dir (which must stay valid).  Returns NULL on ENOMEM; free with
 * rec_kernel_free().
 */
struct rec_kernel *rec_kernel_open(const char *tracing_dir);

/* rec_kernel_free - accepts NULL, returns NULL. */
struct rec_kernel *rec_kernel_free(struct rec_kernel *k);

#endif
