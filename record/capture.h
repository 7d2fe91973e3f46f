/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_CAPTURE_H
#define MAPTRAIL_REC_CAPTURE_H

/*
 * capture: move the ring buffer of each CPU, whole pages at a time, into a
 * temporary file of its own while the recording runs.
 *
 * One thread per CPU blocks in tracefs_cpu_write(), which splices pages from
 * per_cpu/cpuN/trace_pipe_raw into the file once the kernel's buffer_percent
 * watermark is reached; rec_capture_stop() wakes them and reads what is left
 * (partial pages included) with tracefs_cpu_flush_write().  The temporary
 * files are unlinked as soon as they are made, so no exit path, SIGKILL
 * included, leaves them behind.
 */

#include <stdint.h>
#include <tracefs.h>

struct rec_capture;

/*
 * rec_capture_open - open the readers of @nr_cpus CPUs of @instance and a
 * temporary file each in directory @dir.  Returns 0 and sets *@out (free with
 * rec_capture_free()), or a negative errno and sets *@err (free()).
 */
int rec_capture_open(struct tracefs_instance *instance, int nr_cpus, const char *dir,
		     struct rec_capture **out, char **err);

/* rec_capture_start - start the reader threads.  0 or a negative errno (*@err set). */
int rec_capture_start(struct rec_capture *c, char **err);

/*
 * rec_capture_error - 0 while every reader is well, else the negative errno
 * that stopped one (ENOSPC: the disk is full), with *@err set (free()).
 */
int rec_capture_error(struct rec_capture *c, char **err);

/*
 * rec_capture_stop - call after tracing is off: stop the threads and read
 * the rest of every buffer.  0 or a negative errno (*@err set).
 */
int rec_capture_stop(struct rec_capture *c, char **err);

/*
 * rec_capture_flush - with no reader running (before rec_capture_start(), or
 * tracing off): read everything the buffers hold, partial pages included.
 * The readers can be started afterwards (the flight recorder flushes the
 * frozen window, then records what follows it).  0 or a negative errno.
 */
int rec_capture_flush(struct rec_capture *c, char **err);

/* rec_capture_fd / rec_capture_size - CPU @cpu's temporary file and its bytes. */
int rec_capture_fd(const struct rec_capture *c, int cpu);
uint64_t rec_capture_size(const struct rec_capture *c, int cpu);

/* rec_capture_free - stops the threads if running, closes all; accepts NULL, returns NULL. */
struct rec_capture *rec_capture_free(struct rec_capture *c);

#endif
