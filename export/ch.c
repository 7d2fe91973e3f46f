// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ch.h"

#define MAX_SETTINGS	16

struct exp_ch {
	CURL *curl;
	char *url;		/* as given, without a trailing '?...' */
	char *where;		/* host:port */
	char *names[MAX_SETTINGS], *values[MAX_SETTINGS];
	int nr_settings;
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *fmt_err(const char *fmt, const char *a, const char *b)
{
	char *s = NULL;

	if (asprintf(&s, fmt, a, b) < 0)
		return NULL;
	return s;
}

int exp_ch_open(const char *url, struct exp_ch **out, char **err)
{
	struct exp_ch *ch;
	CURLU *u = NULL;
	char *host = NULL, *port = NULL, *scheme = NULL;

	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK) {
		*err = strdup("libcurl cannot start");
		return -1;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		goto nomem;
	u = curl_url();
	if (!u)
		goto nomem;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https")) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		*err = fmt_err("'%s' is not a ClickHouse HTTP URL (http://host:8123/)%s", url, "");
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		port = NULL;
	if (asprintf(&ch->where, "%s:%s", host, port ? port : "?") < 0)
		goto nomem;
	/* The URL without its query part: settings are added per request. */
	ch->url = strndup(url, strcspn(url, "?#"));
	ch->curl = curl_easy_init();
	if (!ch->url || !ch->curl)
		goto nomem;
	curl_easy_setopt(ch->curl, CURLOPT_ERRORBUFFER, ch->curl_err);
	curl_easy_setopt(ch->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ch->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(ch->curl, CURLOPT_POST, 1L);
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	*out = ch;
	return 0;
nomem:
	*err = strdup("out of memory");
fail:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	exp_ch_free(ch);
	return -1;
}

struct exp_ch *exp_ch_free(struct exp_ch *ch)
{
	if (!ch)
		return NULL;
	if (ch->curl)
		curl_easy_cleanup(ch->curl);
	for (int i = 0; i < ch->nr_settings; i++) {
		free(ch->names[i]);
		free(ch->values[i]);
	}
	free(ch->url);
	free(ch->where);
	free(ch);
	return NULL;
}

const char *exp_ch_where(const struct exp_ch *ch)
{
	return ch->where;
}

int exp_ch_set(struct exp_ch *ch, const char *name, const char *value)
{
	int i;

	for (i = 0; i < ch->nr_settings; i++)
		if (!strcmp(ch->names[i], name))
			break;
	if (i < ch->nr_settings) {
		free(ch->values[i]);
		ch->values[i] = NULL;
		if (!value) {
			free(ch->names[i]);
			ch->nr_settings--;
			ch->names[i] = ch->names[ch->nr_settings];
			ch->values[i] = ch->values[ch->nr_settings];
			return 0;
		}
	} else {
		if (!value)
			return 0;
		if (i == MAX_SETTINGS)
			return -ENOMEM;
		ch->names[i] = strdup(name);
		if (!ch->names[i])
			return -ENOMEM;
		ch->nr_settings++;
	}
	ch->values[i] = strdup(value);
	return ch->values[i] ? 0 : -ENOMEM;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct exp_buf *b = ctx;

	return exp_buf_add(b, p, size * n) < 0 ? 0 : size * n;
}

/*
 * ClickHouse's error body: "Code: 60, e.displayText() = DB::Exception: Table
 * x doesn't exist., e.what() = DB::Exception\n".  One line: the text and the code.
 */
static char *exception_line(const char *where, int status, struct exp_buf *body)
{
	const char *s = body->data ? body->data : "", *text, *end;
	char *line = NULL;
	int code = -1;

	sscanf(s, "Code: %d", &code);
	text = strstr(s, "DB::Exception: ");
	text = text ? text + strlen("DB::Exception: ") : s;
	end = strstr(text, ", e.what() = ");
	if (!end)
		end = text + strcspn(text, "\n");
	while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '.'))
		end--;
	/* Any newline left inside (a stack trace) is cut: one line. */
	if (memchr(text, '\n', end - text))
		end = text + strcspn(text, "\n");
	if (code >= 0) {
		if (asprintf(&line, "ClickHouse at %s: %.*s (code %d)", where, (int)(end - text),
			     text, code) < 0)
			line = NULL;
	} else if (asprintf(&line, "ClickHouse at %s: HTTP %d: %.*s", where, status,
			    (int)(end - text), text) < 0) {
		line = NULL;
	}
	return line;
}

/* One POST: @url_query (already escaped, may be NULL) and @body. */
static int post(struct exp_ch *ch, const char *url_query, const char *body, size_t len,
		struct exp_buf *out, char **err)
{
	struct exp_buf url = { 0 }, answer = { 0 };
	struct exp_buf *to = out ? out : &answer;
	char sep = '?';
	long status = 0;
	CURLcode rc;
	int ret = -1;

	if (out)
		out->len = 0;
	if (exp_buf_str(&url, ch->url) < 0)
		goto nomem;
	for (int i = 0; i < ch->nr_settings; i++) {
		char *v = curl_easy_escape(ch->curl, ch->values[i], 0);

		if (!v || exp_buf_printf(&url, "%c%s=%s", sep, ch->names[i], v) < 0) {
			curl_free(v);
			goto nomem;
		}
		curl_free(v);
		sep = '&';
	}
	if (url_query && exp_buf_printf(&url, "%cquery=%s", sep, url_query) < 0)
		goto nomem;
	curl_easy_setopt(ch->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(ch->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(ch->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(ch->curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(ch->curl, CURLOPT_WRITEDATA, to);
	ch->curl_err[0] = '\0';
	rc = curl_easy_perform(ch->curl);
	if (rc != CURLE_OK) {
		const char *why = ch->curl_err[0] ? ch->curl_err : curl_easy_strerror(rc);

		*err = fmt_err("ClickHouse at %s: %s", ch->where, why);
		if (rc == CURLE_COULDNT_CONNECT)
			*err = (free(*err), fmt_err("ClickHouse at %s is not answering (%s)", ch->where,
						      why));
		goto out;
	}
	curl_easy_getinfo(ch->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		*err = exception_line(ch->where, (int)status, to);
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	*err = strdup("out of memory");
out:
	exp_buf_free(&url);
	exp_buf_free(&answer);
	return ret;
}

int exp_ch_query(struct exp_ch *ch, const char *sql, struct exp_buf *out, char **err)
{
	return post(ch, NULL, sql, strlen(sql), out, err);
}

int exp_ch_insert(struct exp_ch *ch, const char *insert, const char *rows, size_t len,
		  char **err)
{
	char *q = curl_easy_escape(ch->curl, insert, 0);
	int ret;

	if (!q) {
		*err = strdup("out of memory");
		return -1;
	}
	ret = post(ch, q, rows, len, NULL, err);
	curl_free(q);
	return ret;
}

int exp_ch_quote(struct exp_buf *b, const char *s, size_t len)
{
	int ret = exp_buf_add(b, "'", 1);

	for (size_t i = 0; !ret && i < len; i++) {
		unsigned char c = s[i];

		if (c == '\'' || c == '\\')
			ret = exp_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			ret = exp_buf_printf(b, "\\x%02x", c);
		else
			ret = exp_buf_add(b, &s[i], 1);
	}
	return ret ? ret : exp_buf_add(b, "'", 1);
}

int exp_ch_ident(struct exp_buf *b, const char *name)
{
	int ret = exp_buf_add(b, "`", 1);

	for (const char *p = name; !ret && *p; p++) {
		if (*p == '`' || *p == '\\')
			ret = exp_buf_printf(b, "\\%c", *p);
		else
			ret = exp_buf_add(b, p, 1);
	}
	return ret ? ret : exp_buf_add(b, "`", 1);
}

int exp_tsv_escape(struct exp_buf *b, const char *s, size_t len)
{
	size_t from = 0;
	int ret = 0;

	for (size_t i = 0; !ret && i < len; i++) {
		const char *esc;

		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\0': esc = "\\0"; break;
		default: continue;
		}
		ret = exp_buf_add(b, s + from, i - from);
		if (!ret)
			ret = exp_buf_add(b, esc, 2);
		from = i + 1;
	}
	return ret ? ret : exp_buf_add(b, s + from, len - from);
}

size_t exp_tsv_unescape(char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\\' || i + 1 == len) {
			s[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 't': s[o++] = '\t'; break;
		case 'n': s[o++] = '\n'; break;
		case 'r': s[o++] = '\r'; break;
		case '0': s[o++] = '\0'; break;
		case 'b': s[o++] = '\b'; break;
		case 'f': s[o++] = '\f'; break;
		case 'a': s[o++] = '\a'; break;
		case 'v': s[o++] = '\v'; break;
		default: s[o++] = s[i]; break;	/* \\ \' and anything else: the byte */
		}
	}
	return o;
}
