#!/usr/bin/env python3
"""Compare a program's own /proc/self/maps with maptrail's rebuilt address space.

    maps-compare.py DB MAPS PID [--at TS] [--quiet]

Every range of MAPS (the program's /proc/self/maps, byte for byte) is looked
up in DB's vma_history for PID at the time the program read its maps: the
exit of its last openat in the capture (the open of /proc/self/maps), or,
for a program that wrote its maps before the recording began (a victim
attached to), just after the recorder's last snapshot of it (mapsend).
--at TS gives the time instead.

A range AGREES when rows of the history cover it whole, without a gap
(several rows side by side are allowed: the kernel merges neighbours the
history keeps apart), each with the range's protection and sharing, and,
for a range backed by a file, the file's path.  It DIFFERS when a row says
otherwise, and is UNKNOWN when part of it has no row or a row that does not
know its protection.  Prints one line per range that does not agree, then
`agree N differ N unknown N`; exits 1 when any range differs or is unknown.
"""
import argparse
import sqlite3
import sys

PROT = {"r": 1, "w": 2, "x": 4}


def parse_maps(path):
    ranges = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(None, 5)
            if len(parts) < 5:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            perms = parts[1]
            prot = sum(v for k, v in PROT.items() if k in perms[:3])
            ranges.append({"start": start, "end": end, "perms": perms, "prot": prot,
                           "shared": perms[3] == "s", "inode": int(parts[4]),
                           "path": parts[5].strip() if len(parts) > 5 else "",
                           "line": line.rstrip("\n")})
    return ranges


def when(db, pid, at):
    if at is not None:
        return at
    row = db.execute("SELECT max(ts_exit) FROM openat WHERE coalesce(pid, tid) = ?",
                     (pid,)).fetchone()
    if row and row[0] is not None:
        return row[0]
    row = db.execute("SELECT max(ts) FROM process_snapshot WHERE tgid = ?", (pid,)).fetchone()
    if row and row[0] is not None:
        # after the last map record of that snapshot: the first event after it
        last = db.execute("SELECT max(ts) FROM snapshot_map WHERE tgid = ? AND ts >= ?",
                          (pid, row[0])).fetchone()[0]
        return (last if last is not None else row[0]) + 1
    sys.exit(f"no time to compare at: pid {pid} has no openat and no snapshot")


def signed(x):
    """An address as the database stores it: 64 bits, two's complement."""
    return x - (1 << 64) if x >= 1 << 63 else x


def judge(db, pid, ts, r):
    rows = db.execute(
        "SELECT start_addr, end_addr, prot, map_flags, path, change FROM vma_history_file"
        " WHERE pid = ? AND start_addr < ? AND end_addr > ? AND ts_from <= ?"
        " AND (ts_to IS NULL OR ts_to > ?) ORDER BY start_addr",
        (pid, signed(r["end"]), signed(r["start"]), ts, ts)).fetchall()
    at = r["start"]
    why = []
    unknown = False
    for start, end, prot, flags, path, change in rows:
        start, end = start % (1 << 64), end % (1 << 64)
        if start > at:
            unknown = True
            why.append(f"no row for 0x{at:x}-0x{start:x}")
        at = max(at, end)
        if prot is None:
            unknown = True
            why.append(f"0x{start:x}-0x{end:x} ({change}): protection unknown")
            continue
        if (prot & 7) != r["prot"]:
            why.append(f"0x{start:x}-0x{end:x} ({change}): prot {prot & 7}, maps {r['perms']}")
        if flags is not None and bool(flags & 1) != r["shared"]:
            why.append(f"0x{start:x}-0x{end:x} ({change}): flags 0x{flags:x}, maps {r['perms']}")
        if r["inode"] and path is not None and path != r["path"]:
            why.append(f"0x{start:x}-0x{end:x} ({change}): path {path!r}")
        if r["inode"] and path is None:
            unknown = True
            why.append(f"0x{start:x}-0x{end:x} ({change}): file unknown")
    if at < r["end"]:
        unknown = True
        why.append(f"no row for 0x{at:x}-0x{r['end']:x}")
    differs = any("prot " in w or "flags " in w or "path " in w for w in why)
    return ("differ" if differs else "unknown" if unknown else "agree"), why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("maps")
    ap.add_argument("pid", type=int)
    ap.add_argument("--at", type=int)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    db = sqlite3.connect(args.db)
    ts = when(db, args.pid, args.at)
    counts = {"agree": 0, "differ": 0, "unknown": 0}
    for r in parse_maps(args.maps):
        verdict, why = judge(db, args.pid, ts, r)
        counts[verdict] += 1
        if verdict != "agree" and not args.quiet:
            print(f"{verdict}: {r['line']}\n    " + "\n    ".join(why))
    print(f"agree {counts['agree']} differ {counts['differ']} unknown {counts['unknown']}")
    return 1 if counts["differ"] or counts["unknown"] else 0


if __name__ == "__main__":
    sys.exit(main())
