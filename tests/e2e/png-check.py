#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Is a screenshot a real page?  png-check.py SHOT.png [MIN_COLOURS]

Decodes the PNG with zlib alone (no PIL): checks the signature, the chunks'
CRCs and the image's size, undoes the row filters and counts the distinct
colours, and how many rows are not a single colour.  A blank or failed render
(one background colour, or a handful) fails.  Prints one line of figures.

Also usable as a module: decode(path) -> (width, height, rows of bytes, bpp).
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG (bad signature)')
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise ValueError('chunk %s: bad CRC' % kind.decode('latin-1'))
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat.append(body)
        elif kind == b'IEND':
            break
        pos += 12 + length
    if not ihdr or not idat:
        raise ValueError('no IHDR or IDAT')
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise ValueError('unexpected PNG kind: depth %d colour type %d interlace %d'
                         % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b''.join(idat))
    stride = width * bpp
    if len(raw) != height * (stride + 1):
        raise ValueError('image data is %d bytes, not %d' % (len(raw), height * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xff
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xff
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xff
        elif f != 0:
            raise ValueError('row %d: unknown filter %d' % (y, f))
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def main():
    path = sys.argv[1]
    min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    try:
        width, height, rows, bpp = decode(path)
    except (OSError, ValueError, zlib.error) as e:
        print('%s: %s' % (path, e))
        return 1
    colours, busy = set(), 0
    for line in rows:
        px = {line[i:i + 3] for i in range(0, len(line), bpp)}
        colours |= px
        busy += len(px) > 2     # more than the page and its margin
    print('%s: %dx%d, %d colours, %d of %d rows not blank'
          % (path, width, height, len(colours), busy, height))
    if len(colours) < min_colours or busy < height // 10:
        print('%s: looks blank' % path)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
