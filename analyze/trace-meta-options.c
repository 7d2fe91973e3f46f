// SPDX-License-Identifier: MIT
/*
 * trace-meta's options: each one's facts into struct trace_meta, in v6 (one
 * list before the data) and v7 (sections chained through their DONE options)
 * alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace-meta-internal.h"

/* @n bytes of option text, not necessarily NUL-terminated, as a C string. */
static int dup_text(struct parser *t, char **dst, const void *p, uint64_t n)
{
	char *s = strndup(p, n);

	if (!s)
		return tm_nomem(t);
	free(*dst);
	*dst = s;
	return 0;
}

/* The word @idx (0-based) of @s, words split by blanks; NULL when there are fewer. */
static char *nth_word(const char *s, int idx)
{
	size_t n;

	for (;;) {
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (!n)
			return NULL;
		if (!idx--)
			return strndup(s, n);
		s += n;
	}
}

/*
 * The clock in use out of a trace_clock text: "[local] global counter" names
 * local; v6 also stores the clock alone as "[local]".
 */
char *tm_selected_clock(const char *text)
{
	const char *open = strchr(text, '[');
	const char *close = open ? strchr(open, ']') : NULL;

	if (open && close && close > open + 1)
		return strndup(open + 1, close - open - 1);
	return nth_word(text, 0);
}

static int handle_option(struct parser *t, unsigned int id, const uint8_t *data, uint64_t size)
{
	struct trace_meta *m = t->meta;
	char *text = NULL;
	int ret = 0;

	switch (id) {
	case TDAT_OPT_CPUSTAT:
		return tm_add_cpustat(t, data, size);
	case TDAT_OPT_BUFFER:
	case TDAT_OPT_BUFFER_TEXT:
		if (t->version >= 7)
			return tm_buffer_option_v7(t, id, data, size);
		if (id == TDAT_OPT_BUFFER_TEXT)
			return 0;
		/* v6: the offset of the instance's flyrecord table, then its name */
		if (size < 9)
			return tm_fail(t, -EINVAL, "corrupt: BUFFER option of %" PRIu64 " bytes",
				       size);
		return tm_add_buffer(t, strndup((const char *)data + 8, size - 8),
				     get_num(t, data, 8)) ? 0 : -ENOMEM;
	case TDAT_OPT_TRACECLOCK:
		t->has_traceclock = true;
		ret = dup_text(t, &text, data, size);
		if (!ret) {
			free(t->traceclock);
			t->traceclock = tm_selected_clock(text);
		}
		break;
	case TDAT_OPT_UNAME:
		/* trace-cmd writes "sysname nodename release machine" */
		ret = dup_text(t, &m->uname, data, size);
		if (!ret) {
			free(m->hostname);
			free(m->kernel_version);
			m->hostname = nth_word(m->uname, 1);
			m->kernel_version = nth_word(m->uname, 2);
		}
		break;
	case TDAT_OPT_VERSION:
		ret = dup_text(t, &m->tracecmd_version, data, size);
		break;
	case TDAT_OPT_OFFSET:
		/* as libtracecmd: several OFFSET options add up */
		ret = dup_text(t, &text, data, size);
		if (!ret)
			m->time_offset += strtoll(text, NULL, 0);
		break;
	case TDAT_OPT_CPUCOUNT:
		if (size < 4)
			return tm_fail(t, -EINVAL, "corrupt: CPUCOUNT option of %" PRIu64 " bytes",
				       size);
		if (get_num(t, data, 4) > MAX_CPUS)
			return tm_fail(t, -EINVAL, "corrupt: CPUCOUNT option: %" PRIu64 " CPUs",
				       get_num(t, data, 4));
		m->cpu_count = get_num(t, data, 4);
		t->cpucount_seen = true;
		break;
	case TDAT_OPT_HEADER_INFO:
	case TDAT_OPT_FTRACE_EVENTS:
	case TDAT_OPT_EVENT_FORMATS:
	case TDAT_OPT_KALLSYMS:
	case TDAT_OPT_PRINTK:
	case TDAT_OPT_CMDLINES:
		if (t->version < 7)
			break;
		if (size < 8)
			return tm_fail(t, -EINVAL, "corrupt: option %u of %" PRIu64 " bytes",
				       id, size);
		t->sec_off[id] = get_num(t, data, 8);
		break;
	case TDAT_OPT_MAPTRAIL_PLAN:
		ret = dup_text(t, &m->recorder_plan, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_PLAN_ROWS:
		ret = dup_text(t, &m->recorder_plan_rows, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_FLIGHT:
		ret = dup_text(t, &m->recorder_flight, data, size);
		break;
	case TDAT_OPT_MAPTRAIL_WALLCLOCK:
		ret = dup_text(t, &m->recorder_wallclock, data, size);
		break;
	case TDAT_OPT_DATE:
		/*
		 * trace-cmd record --date: CLOCK_REALTIME - ts in us, "0x..." text.
		 * libtracecmd adds it to every timestamp, and so does this reader.
		 */
		ret = dup_text(t, &text, data, size);
		if (!ret) {
			m->time_offset += strtoll(text, NULL, 0) * 1000;
			m->ts_is_utc = true;
		}
		break;
	case TDAT_OPT_TIME_SHIFT:
	case TDAT_OPT_TSC2NSEC:
	case TDAT_OPT_GUEST:
		/* host/guest synchronisation and TSC conversion: libtracecmd applies them */
		m->time_sync = true;
		break;
	default:
		/* HOOK, PROCMAPS, TRACEID, unknown */
		break;
	}
	free(text);
	return ret;
}

/*
 * Options until DONE.  v6: a DONE id alone ends them.  v7: DONE carries the
 * offset of the next options section (0: none), returned in *@next.
 */
int tm_parse_options(struct parser *t, struct cur *c, uint64_t *next)
{
	const uint8_t *data;
	uint64_t id, size;
	int ret;

	for (;;) {
		if (t->version >= 7 && c->pos == c->len)
			return tm_fail(t, -EINVAL, "corrupt: %s has no DONE option", c->what);
		ret = tm_cur_num(t, c, 2, &id);
		if (ret)
			return ret;
		if (t->version < 7 && id == TDAT_OPT_DONE)
			return 0;
		ret = tm_cur_num(t, c, 4, &size);
		if (ret)
			return ret;
		if (t->version >= 7 && size > c->len - c->pos)
			return tm_fail(t, -EINVAL, "corrupt: option %u size %llu beyond %s",
				       (unsigned int)id, (unsigned long long)size, c->what);
		ret = tm_cur_take(t, c, size, &data);
		if (ret)
			return ret;
		if (id == TDAT_OPT_DONE) {
			if (size < 8)
				return tm_fail(t, -EINVAL, "corrupt: DONE option of %" PRIu64 " bytes",
					       size);
			*next = get_num(t, data, 8);
			return 0;
		}
		ret = handle_option(t, id, data, size);
		if (ret)
			return ret;
	}
}
