/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_FINDING_CONTEXT_H
#define MAPTRAIL_FINDING_CONTEXT_H

/*
 * finding-context: what a finding says beyond what its detection judged, set
 * in a pass of its own after findings_build() (analyze.c):
 *
 * - context: the process's executable, command line and parent
 *   (findings.exe, cmdline, ppid) from process_context;
 * - judgement: severity rules -- maptrail's known JIT runtimes
 *   (schema/runtimes.rules, compiled in) and the analyst's --baseline files,
 *   one rule a line, matched on the executable's path -- lower a finding's
 *   severity to at most the rule's.  The row stays; detection_severity keeps
 *   what the detection said and lowered_by quotes the rule ("FILE:LINE: text").
 *
 * The rules are read before anything is written (fctx_rules_read), so a bad
 * baseline file fails analyze with one line and no output.
 *
 *	struct fctx_rules *rules = NULL;
 *	if (fctx_rules_read(baselines, detections, n, &rules, &err) < 0)
 *		fail(err);
 *	...findings_build()...
 *	fctx_apply(db, rules, by_rank);
 *	rules = fctx_rules_free(rules);
 */

#include <stdint.h>

#include "analyze.h"
#include "sql.h"

struct fctx_rules;

/* The name maptrail's own rules are quoted under in lowered_by and severity_rule.source. */
#define FCTX_BUILTIN_SOURCE	"runtimes.rules"

/*
 * fctx_rules_read - maptrail's known runtimes, then each file of @baselines
 * (NULL-terminated, may be NULL) in order.  A detection a rule names must be
 * one of @detections.  Returns 0 and *@rules (free with fctx_rules_free()),
 * or -1 and *@reason, one line "FILE:LINE: what is wrong" (free()).
 */
int fctx_rules_read(const char *const *baselines, const struct analyze_detection *detections,
		    int nr_detections, struct fctx_rules **rules, char **reason);

/* fctx_rules_free - accepts NULL; returns NULL. */
struct fctx_rules *fctx_rules_free(struct fctx_rules *rules);

/* fctx_rules_parse - one file's text (for tests and fctx_rules_read); same contract. */
int fctx_rules_parse(struct fctx_rules *rules, const char *source, const char *text,
		     const struct analyze_detection *detections, int nr_detections, char **reason);

/* fctx_rules_alloc - an empty set, for fctx_rules_parse(); NULL: out of memory. */
struct fctx_rules *fctx_rules_alloc(void);

/* fctx_rules_count - how many rules were read. */
int fctx_rules_count(const struct fctx_rules *rules);

/*
 * fctx_apply - fill findings' context columns, rewrite severity_rule with
 * @rules and lower what they match, over every capture of the database (the
 * findings were just rebuilt whole).  Needs process_context (ident_views()).
 * Returns the number of findings lowered and in @by_rank[0..3] (may be NULL)
 * how many findings have each final severity_rank, or -1 with db->err set.
 */
int64_t fctx_apply(struct cmn_db *db, const struct fctx_rules *rules, int64_t by_rank[4]);

#endif
