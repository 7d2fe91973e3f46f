// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "embedded.h"

/* The files of query_files (queries/meson.build), compiled in by tools/embed. */
extern const struct embedded_file qry_sql_files[];

static struct qry_info *catalog;
static int catalog_count;
static pthread_once_t catalog_once = PTHREAD_ONCE_INIT;

/* The header keys, and where each goes in struct qry_info. */
static const char **key_slot(struct qry_info *info, const char *key, size_t len)
{
	static const struct {
		const char *key;
		size_t offset;
	} keys[] = {
		{ "title", offsetof(struct qry_info, title) },
		{ "severity", offsetof(struct qry_info, severity) },
		{ "kind", offsetof(struct qry_info, kind) },
		{ "mitre", offsetof(struct qry_info, mitre) },
		{ "params", offsetof(struct qry_info, params) },
		{ "means", offsetof(struct qry_info, means) },
		{ "why", offsetof(struct qry_info, why) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == len && !memcmp(keys[i].key, key, len))
			return (const char **)((char *)info + keys[i].offset);
	return NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Append [s, s+len) to *value, a space between: continuation lines make one line. */
static int append(const char **value, const char *s, size_t len)
{
	size_t old = *value ? strlen(*value) : 0;
	char *v;

	while (len && is_blank(s[len - 1]))
		len--;
	v = realloc((char *)*value, old + 1 + len + 1);
	if (!v)
		return -ENOMEM;
	if (old && len)
		v[old++] = ' ';
	memcpy(v + old, s, len);
	v[old + len] = '\0';
	*value = v;
	return 0;
}

/*
 * One header line, without its "--" and end of line.  Returns the slot the
 * next continuation line adds to (NULL: none), or sets *@err.
 */
static const char **header_line(struct qry_info *info, const char **current, const char *s,
				size_t len, int *err)
{
	size_t blanks = 0, key_len = 0;
	const char **slot;

	while (blanks < len && (s[blanks] == ' ' || s[blanks] == '\t'))
		blanks++;
	if (blanks == len)
		return NULL;		/* "--" alone: ends the value */
	if (blanks >= 2 || s[0] == '\t') {
		if (current && (*err = append(current, s + blanks, len - blanks)))
			return NULL;
		return current;
	}
	s += blanks;
	len -= blanks;
	while (key_len < len && ((s[key_len] >= 'a' && s[key_len] <= 'z') || s[key_len] == '_' ||
				 s[key_len] == '-'))
		key_len++;
	if (!key_len || key_len == len || s[key_len] != ':')
		return NULL;		/* a comment, not "key: value" */
	slot = key_slot(info, s, key_len);
	if (!slot)
		return NULL;		/* a key of no meaning here: ignored with its continuation */
	free((char *)*slot);
	*slot = NULL;
	s += key_len + 1;
	len -= key_len + 1;
	while (len && is_blank(*s))
		s++, len--;
	if ((*err = append(slot, s, len)))
		return NULL;
	return slot;
}

int qry_info_parse(const char *name, const char *text, struct qry_info *info)
{
	const char **current = NULL;
	const char *p = text, *end;
	size_t name_len = strlen(name), sql_len;
	int err = 0;

	memset(info, 0, sizeof(*info));
	if (name_len > 4 && !strcmp(name + name_len - 4, ".sql"))
		name_len -= 4;
	info->name = strndup(name, name_len);
	info->text = strdup(text);
	if (!info->name || !info->text)
		goto nomem;
	while (p[0] == '-' && p[1] == '-') {
		size_t len;

		end = strchr(p, '\n');
		len = end ? (size_t)(end - p) : strlen(p);
		current = header_line(info, current, p + 2, len - 2, &err);
		if (err)
			goto nomem;
		p += len + (end ? 1 : 0);
	}
	/* The statement, without the blank lines around it. */
	while (*p == '\n' || is_blank(*p))
		p++;
	sql_len = strlen(p);
	while (sql_len && (p[sql_len - 1] == '\n' || is_blank(p[sql_len - 1])))
		sql_len--;
	info->sql = strndup(p, sql_len);
	if (!info->sql)
		goto nomem;
	/* A value that is there but empty is as good as absent. */
	for (const char **v = &info->title; v <= &info->why; v++)
		if (*v && !**v) {
			free((char *)*v);
			*v = NULL;
		}
	return 0;
nomem:
	qry_info_clear(info);
	return -ENOMEM;
}

void qry_info_clear(struct qry_info *info)
{
	if (!info)
		return;
	free((char *)info->name);
	for (const char **v = &info->title; v <= &info->why; v++)
		free((char *)*v);
	free((char *)info->sql);
	free((char *)info->text);
	memset(info, 0, sizeof(*info));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct qry_info *)a)->name, ((const struct qry_info *)b)->name);
}

static void catalog_load(void)
{
	int n = 0;

	while (qry_sql_files[n].name)
		n++;
	catalog = calloc(n ? n : 1, sizeof(*catalog));
	if (!catalog)
		return;
	/* Out of memory at start-up: the queries parsed so far are the catalog. */
	for (int i = 0; i < n; i++) {
		if (qry_info_parse(qry_sql_files[i].name, qry_sql_files[i].text,
				   &catalog[catalog_count]) < 0)
			break;
		catalog_count++;
	}
	qsort(catalog, catalog_count, sizeof(*catalog), by_name);
}

int qry_catalog_count(void)
{
	pthread_once(&catalog_once, catalog_load);
	return catalog_count;
}

const struct qry_info *qry_catalog_get(int i)
{
	if (i < 0 || i >= qry_catalog_count())
		return NULL;
	return &catalog[i];
}

const struct qry_info *qry_catalog_find(const char *name)
{
	struct qry_info key = { .name = name };

	if (!name || !qry_catalog_count())
		return NULL;
	return bsearch(&key, catalog, catalog_count, sizeof(*catalog), by_name);
}
