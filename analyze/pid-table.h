/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_PID_TABLE_H
#define MAPTRAIL_PID_TABLE_H

/*
 * pid-table: entries of one size found by pid, for the maps that follow
 * tasks and processes while events stream past (tasks.c, processes.c, the
 * history's address spaces).  Open addressing with linear probing; entries
 * are never removed, so memory grows with the pids seen, never with events.
 *
 * Every entry begins with a struct pid_key; the rest is the caller's, zeroed
 * when the entry is made.  Pointers into the table are valid until the next
 * pid_table_get() that makes an entry (the table may grow and move).
 *
 *	struct proc { struct pid_key key; uint64_t calls; };
 *	struct pid_table t;
 *	pid_table_init(&t, sizeof(struct proc));
 *	struct proc *p = pid_table_get(&t, pid, &made);
 *	for (size_t i = 0; (p = pid_table_next(&t, &i)); )
 *		...;
 *	pid_table_release(&t);
 */

#include <stdbool.h>
#include <stddef.h>

struct pid_key {
	int pid;		/* 0 is a pid like any other (the idle task) */
	bool used;
};

struct pid_table {
	size_t entry_size;
	size_t size, used;	/* slots (a power of two), and entries */
	unsigned char *slots;	/* size * entry_size bytes */
};

/* pid_table_init - an empty table of entries of @entry_size bytes.  Returns 0 or -1 (ENOMEM). */
int pid_table_init(struct pid_table *t, size_t entry_size);

/* pid_table_release - free the slots; entries' own allocations are the caller's to free first. */
void pid_table_release(struct pid_table *t);

/* pid_table_find - the entry of @pid, NULL when there is none. */
void *pid_table_find(const struct pid_table *t, int pid);

/*
 * pid_table_get - the entry of @pid, made (zeroed, key set) when there is
 * none; *@made (may be NULL) says whether it was.  NULL on ENOMEM.
 */
void *pid_table_get(struct pid_table *t, int pid, bool *made);

/* pid_table_next - the entry at or after slot *@i (which it advances), NULL at the end. */
void *pid_table_next(const struct pid_table *t, size_t *i);

#endif
