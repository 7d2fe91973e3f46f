/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_CMN_STOP_H
#define MAPTRAIL_CMN_STOP_H

/*
 * stop: the user asked maptrail to stop (SIGINT, SIGTERM).  The command's
 * signal handler records it here; long work polls it: every connection
 * cmn_db_open() makes checks it as SQLite runs (a progress handler, so a
 * statement in progress fails with SQLITE_INTERRUPT), and loops check it
 * between items.  Process-wide on purpose: a request to stop is the whole
 * process's, and the threads and connections of several modules must all see
 * it without each being handed a flag.
 *
 *	static void on_signal(int sig) { cmn_stop_request(sig); }
 *	...
 *	if (run() < 0 && cmn_stop_signal())
 *		return 128 + cmn_stop_signal();
 */

/* cmn_stop_request - ask every long task to stop; async-signal-safe.  The first signal is kept. */
void cmn_stop_request(int sig);

/* cmn_stop_signal - the signal that asked to stop, or 0 when none did. */
int cmn_stop_signal(void);

/*
 * cmn_stop_after - a time budget: from now, the SQL of every connection that
 * checks (cmn_stop_progress()) stops after @seconds; 0: no budget.  For a
 * database maptrail did not make, whose views may run forever (sql.h,
 * cmn_db_distrust()).  Not for signal handlers.
 */
void cmn_stop_after(double seconds);

/* cmn_stop_expired - whether the budget of cmn_stop_after() ran out (and stopped SQL). */
int cmn_stop_expired(void);

/*
 * cmn_stop_progress - a SQLite progress handler (sqlite3_progress_handler()):
 * non-zero, interrupting the statement, once a stop was asked for or the
 * time budget ran out.  @arg is unused.
 */
int cmn_stop_progress(void *arg);

/* How many virtual-machine steps SQLite runs between two progress checks (well under a ms). */
#define CMN_STOP_EVERY	10000

#endif
