// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pid-table.h"

#define FIRST_SIZE 64

static struct pid_key *slot(const struct pid_table *t, size_t i)
{
	return (struct pid_key *)(t->slots + i * t->entry_size);
}

static size_t home(size_t size, int pid)
{
	return (size_t)(((uint32_t)pid * 0x9e3779b97f4a7c15ull) >> 32) & (size - 1);
}

int pid_table_init(struct pid_table *t, size_t entry_size)
{
	t->entry_size = entry_size;
	t->size = FIRST_SIZE;
	t->used = 0;
	t->slots = calloc(t->size, entry_size);
	return t->slots ? 0 : -1;
}

void pid_table_release(struct pid_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->size = t->used = 0;
}

void *pid_table_find(const struct pid_table *t, int pid)
{
	for (size_t s = home(t->size, pid); slot(t, s)->used; s = (s + 1) & (t->size - 1))
		if (slot(t, s)->pid == pid)
			return slot(t, s);
	return NULL;
}

static int grow(struct pid_table *t)
{
	struct pid_table bigger = { .entry_size = t->entry_size, .size = t->size * 2,
				    .used = t->used };

	bigger.slots = calloc(bigger.size, t->entry_size);
	if (!bigger.slots)
		return -1;
	for (size_t i = 0; i < t->size; i++) {
		size_t s;

		if (!slot(t, i)->used)
			continue;
		for (s = home(bigger.size, slot(t, i)->pid); slot(&bigger, s)->used;
		     s = (s + 1) & (bigger.size - 1))
			;
		memcpy(slot(&bigger, s), slot(t, i), t->entry_size);
	}
	free(t->slots);
	*t = bigger;
	return 0;
}

void *pid_table_get(struct pid_table *t, int pid, bool *made)
{
	struct pid_key *e = pid_table_find(t, pid);
	size_t s;

	if (made)
		*made = !e;
	if (e)
		return e;
	/* At most half full: probes stay short. */
	if ((t->used + 1) * 2 > t->size && grow(t) < 0)
		return NULL;
	for (s = home(t->size, pid); slot(t, s)->used; s = (s + 1) & (t->size - 1))
		;
	e = slot(t, s);
	e->pid = pid;
	e->used = true;
	t->used++;
	return e;
}

void *pid_table_next(const struct pid_table *t, size_t *i)
{
	for (; *i < t->size; (*i)++)
		if (slot(t, *i)->used)
			return slot(t, (*i)++);
	return NULL;
}
