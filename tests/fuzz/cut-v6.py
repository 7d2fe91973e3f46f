#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cut a trace.dat v6 down to a fuzzing seed: the same headers, cmdlines and
options, the formats of the memory and identity calls and the process
lifecycle only (events of the others become unknown events), no kallsyms
or printk formats, and the first PAGES pages of each CPU of each buffer
(man 5 trace-cmd.dat.v6).  Big seeds make slow fuzzing, each mutation
landing mostly in formats nobody uses.

    cut-v6.py IN.dat OUT.dat [PAGES]
"""
import re
import struct
import sys

KEEP = re.compile(rb'name: (sys_(enter|exit)_(mmap|mprotect|mremap|munmap|brk|remap_file_pages'
                  rb'|pkey_mprotect|openat|close|dup|memfd_create|execve)|sched_process_\w+'
                  rb'|task_\w+|print)\n')


def main():
    src, dst = sys.argv[1], sys.argv[2]
    pages = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    data = open(src, 'rb').read()
    if data[:10] != b'\x17\x08Dtracing' or data[10:12] != b'6\0':
        sys.exit(f'cut-v6: {src}: not a trace.dat v6')
    e = '>' if data[12] else '<'
    page = struct.unpack_from(e + 'I', data, 14)[0]
    pos = 18
    out = bytearray(data[:pos])

    def take(n):
        nonlocal pos
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    def num(size):
        return struct.unpack(e + {4: 'I', 8: 'Q', 2: 'H'}[size], take(size))[0]

    # header_page, header_event
    for tag in (b'header_page\0', b'header_event\0'):
        out += take(len(tag))
        size = num(8)
        out += struct.pack(e + 'Q', size) + take(size)
    # ftrace event formats
    count = num(4)
    out += struct.pack(e + 'I', count)
    for _ in range(count):
        size = num(8)
        out += struct.pack(e + 'Q', size) + take(size)
    # event systems
    systems = num(4)
    out += struct.pack(e + 'I', systems)
    kept = []
    for _ in range(systems):
        end = data.index(b'\0', pos) + 1
        name = take(end - pos)
        formats = [take(num(8)) for _ in range(num(4))]
        formats = [f for f in formats if KEEP.match(f)]
        if formats:
            kept.append((name, formats))
    struct.pack_into(e + 'I', out, len(out) - 4, len(kept))
    for name, formats in kept:
        out += name + struct.pack(e + 'I', len(formats))
        for f in formats:
            out += struct.pack(e + 'Q', len(f)) + f
    # kallsyms and printk formats: dropped
    for _ in range(2):
        take(num(4))
        out += struct.pack(e + 'I', 0)
    size = num(8)
    out += struct.pack(e + 'Q', size) + take(size)
    cpus = num(4)
    out += struct.pack(e + 'I', cpus)
    tag = take(10)
    out += tag
    instances = []  # (where the option's offset is in out, the table's offset in data)
    if tag.startswith(b'options'):
        while True:
            opt = num(2)
            out += struct.pack(e + 'H', opt)
            if opt == 0:
                break
            size = num(4)
            out += struct.pack(e + 'I', size)
            if opt == 3:  # BUFFER: the offset of the instance's flyrecord table, its name
                instances.append((len(out), struct.unpack_from(e + 'Q', data, pos)[0]))
            out += take(size)
        tag = take(10)
        out += tag
    if not tag.startswith(b'flyrecord'):
        sys.exit(f'cut-v6: {src}: no flyrecord data')
    cpu_table(data, out, pos, cpus, e, page, pages)
    for at, table in instances:
        struct.pack_into(e + 'Q', out, at, len(out))
        out += data[table:table + 10]
        cpu_table(data, out, table + 10, cpus, e, page, pages)
    open(dst, 'wb').write(out)


def cpu_table(data, out, pos, cpus, e, page, pages):
    """A flyrecord CPU table at @pos of @data, its clock and the first pages, onto @out."""
    table = [struct.unpack_from(e + 'QQ', data, pos + 16 * i) for i in range(cpus)]
    pos += 16 * cpus
    # the clock: a size and the text, when the file has a TRACECLOCK option
    size = struct.unpack_from(e + 'Q', data, pos)[0]
    tail = data[pos:pos + 8 + size] if 0 < size <= 256 else b''
    table_at = len(out)
    out += bytes(16 * cpus) + tail
    for i, (off, size) in enumerate(table):
        keep = min(size, pages * page)
        if keep:
            out += bytes(-len(out) % page)
            struct.pack_into(e + 'QQ', out, table_at + 16 * i, len(out), keep)
            out += data[off:off + keep]


main()
