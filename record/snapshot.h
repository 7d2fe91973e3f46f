/* SPDX-License-Identifier: MIT */
#ifndef MAPTRAIL_REC_SNAPSHOT_H
#define MAPTRAIL_REC_SNAPSHOT_H

/*
 * snapshot: what /proc knows of a process or of a mapping, written as
 * identity records (marker.h) at the moment the recorder looks.
 *
 * A process snapshot is, in order:
 *	maptrail:proc     tgid ppid uid start_ticks comm exe reason
 *	maptrail:cmdline  tgid part last text            (one or more)
 *	maptrail:thread   tgid tid                       (each thread)
 *	maptrail:map      tgid start end perms offset dev inode path   (each line of maps)
 *	maptrail:mapsend  tgid count
 *	maptrail:fd       tgid fd path                   (each open descriptor)
 * and a file lookup, for an mmap of a descriptor the recorder saw:
 *	maptrail:file     tgid tid addr len fd path how dev inode
 * where how is "maps" (the range is in /proc/PID/maps, at the mmap's file
 * offset), "fd" (not in maps any more, /proc/PID/fd/N read instead) or
 * "gone" (neither: path, dev and inode empty -- never a guessed name).
 * Nothing is guessed: a process that vanished while it was read ends its
 * snapshot where the reading failed.
 */

#include <stdbool.h>
#include <stdint.h>

#include "marker.h"

/* Why a process was snapshotted (the proc record's reason field). */
#define REC_SNAP_START	"start"		/* system-wide recording started */
#define REC_SNAP_ATTACH	"attach"	/* -p: a root or a process already below one */
#define REC_SNAP_EXEC	"exec"		/* a followed process exec'd */
#define REC_SNAP_NEW	"new"		/* a followed process forked a new one */
#define REC_SNAP_TRACER	"tracer"	/* -p: it ptraced or wrote into a recorded process */

/*
 * rec_snapshot_process - snapshot process @tgid.  Returns the number of
 * records written, or a negative errno: -ESRCH when the process was gone
 * before its proc record could be written.
 */
int rec_snapshot_process(struct rec_marker *m, int tgid, const char *reason);

/*
 * rec_snapshot_file - the file behind an mmap by thread @tid that returned
 * @addr, of @len bytes of descriptor @fd at file offset @off.  Writes one
 * maptrail:file record; returns 0 or a negative errno.
 */
int rec_snapshot_file(struct rec_marker *m, int tid, uint64_t addr, uint64_t len, int fd,
		      uint64_t off);

/*
 * rec_snapshot_mounts - one "maptrail:mount dev fstype mountpoint source"
 * record per line of the recorder's /proc/self/mountinfo, dev written as maps
 * writes it ("00:1a"), so a mapping's device names its file system (tmpfs,
 * ...).  Returns the number of records or a negative errno.
 */
int rec_snapshot_mounts(struct rec_marker *m);

/*
 * rec_snapshot_thread - "maptrail:thread tgid tid" for a thread created while
 * recording.  0 or a negative errno.
 */
int rec_snapshot_thread(struct rec_marker *m, int tgid, int tid);

/*
 * rec_proc_tgid - the process of thread @tid (Tgid of /proc/TID/status), or
 * 0 when it is gone.
 */
int rec_proc_tgid(int tid);

#endif
