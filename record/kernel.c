// SPDX-License-Identifier: MIT
/*
 * kernel: what the running kernel offers, for the plan.
 *
 * A kprobe can sit on any text symbol, but only functions listed in
 * available_filter_functions are known to be probe-safe entry points that
 * ftrace also sees; kallsyms catches the rest (static helpers such as
 * do_mremap), so the plan can say which list a symbol came from.  Both files
 * are large (kallsyms is ~5 MB here), so each is read once, kept as a sorted
 * array of names, and searched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel.h"

struct names {
	bool loaded;
	char *text;		/* the file, names cut out in place */
	char **sorted;
	size_t nr;
};

struct kernel_priv {
	const char *tracing_dir;
	struct utsname uts;
	struct names ftrace, kallsyms;
};

static char *read_file(const char *path, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	FILE *f = fopen(path, "re");
	char buf[65536];
	size_t n;

	if (!mem || !f) {
		if (mem)
			fclose(mem);
		free(text);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(f);
	if (fclose(mem)) {
		free(text);
		return NULL;
	}
	*len = size;
	return text;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Keep the name of each line.  available_filter_functions: "name [module]";
 * kallsyms: "address type name [module]", text symbols (t/T) only.
 */
static void load_names(struct names *n, const char *path, bool kallsyms)
{
	size_t len = 0, cap = 0;
	char *line, *save = NULL;

	n->loaded = true;
	n->text = read_file(path, &len);
	if (!n->text)
		return;
	for (line = strtok_r(n->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *name = line;

		if (kallsyms) {
			char *type = strchr(line, ' ');

			if (!type || (type[1] != 't' && type[1] != 'T') || type[2] != ' ')
				continue;
			name = type + 3;
		}
		name[strcspn(name, " \t")] = '\0';
		if (n->nr == cap) {
			char **tmp;

			cap = cap ? cap * 2 : 65536;
			tmp = realloc(n->sorted, cap * sizeof(*tmp));
			if (!tmp)
				return;	/* a partial list still answers; lookups may miss */
			n->sorted = tmp;
		}
		n->sorted[n->nr++] = name;
	}
	qsort(n->sorted, n->nr, sizeof(*n->sorted), cmp_name);
}

static bool has_name(struct names *n, const char *name)
{
	return n->nr && bsearch(&name, n->sorted, n->nr, sizeof(*n->sorted), cmp_name);
}

static enum rec_sym symbol(const struct rec_kernel *k, const char *name)
{
	struct kernel_priv *p = k->priv;
	char path[4096];

	if (!p->ftrace.loaded) {
		snprintf(path, sizeof(path), "%s/available_filter_functions", p->tracing_dir);
		load_names(&p->ftrace, path, false);
	}
	if (has_name(&p->ftrace, name))
		return REC_SYM_FTRACE;
	if (!p->kallsyms.loaded)
		load_names(&p->kallsyms, "/proc/kallsyms", true);
	return has_name(&p->kallsyms, name) ? REC_SYM_KALLSYMS : REC_SYM_NONE;
}

static bool has_event(const struct rec_kernel *k, const char *system, const char *event)
{
	const struct kernel_priv *p = k->priv;
	char path[4096];

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", p->tracing_dir, system, event);
	return access(path, R_OK) == 0;
}

/* The kprobe syntax summary in tracefs/README names the user-memory dereference. */
static bool readme_has(const char *tracing_dir, const char *what)
{
	char path[4096], *text;
	size_t len;
	bool found;

	snprintf(path, sizeof(path), "%s/README", tracing_dir);
	text = read_file(path, &len);
	found = text && strstr(text, what);
	free(text);
	return found;
}

struct rec_kernel *rec_kernel_open(const char *tracing_dir)
{
	struct rec_kernel *k = calloc(1, sizeof(*k));
	struct kernel_priv *p = calloc(1, sizeof(*p));
	char path[4096];

	if (!k || !p) {
		free(k);
		free(p);
		return NULL;
	}
	p->tracing_dir = tracing_dir;
	uname(&p->uts);
	k->priv = p;
	k->release = p->uts.release;
	k->arch = p->uts.machine;
	snprintf(path, sizeof(path), "%s/kprobe_events", tracing_dir);
	k->kprobes = access(path, W_OK) == 0;
	k->kprobe_user_fetch = k->kprobes && readme_has(tracing_dir, "[u]<offset>");
	k->symbol = symbol;
	k->has_event = has_event;
	return k;
}

struct rec_kernel *rec_kernel_free(struct rec_kernel *k)
{
	struct kernel_priv *p;

	if (!k)
		return NULL;
	p = k->priv;
	free(p->ftrace.text);
	free(p->ftrace.sorted);
	free(p->kallsyms.text);
	free(p->kallsyms.sorted);
	free(p);
	free(k);
	return NULL;
}
