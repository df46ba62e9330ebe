#!/usr/bin/env python3
"""Orders a wasm module's functions so that gzip compresses it better, for scripts/build-pkg.sh.

usage: wasm-order.py in.wasm out.wasm

gzip finds repeats only within its last 32 KB, and the code section holds the functions in index
order, which is the compiler's order, not one that puts alike bodies together. This script picks
an order greedily: it starts from the largest body, and each next one is the body that adds the
fewest compressed bytes after what is placed so far (zlib level 9, the state copied per
candidate), less half a byte per raw byte (so a long body that compresses well is not always
left for last). It writes the order as function names (`f00000`, `f00001`, …) in a fresh "name"
section and drops the module's other custom sections; `wasm-opt --reorder-functions-by-name`
then renumbers the functions in that order, and `--strip-debug` drops the names again.
Deterministic for a given input and zlib. Worth −0.5 KB gzip on the core engine, −0.8 on
core-hosted and −2.5 on the full one (BENCHMARKS.md, session 11).
"""
import sys
import zlib


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def uleb(n):
    out = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            out.append(x | 0x80)
        else:
            out.append(x)
            return bytes(out)


def main(src, dst):
    data = open(src, 'rb').read()
    if data[:8] != b'\0asm\x01\0\0\0':
        sys.exit('wasm-order: %s is not a wasm module' % src)
    kept, bodies, imported = [], [], 0
    i = 8
    while i < len(data):
        start = i
        sid = data[i]
        size, i = leb(data, i + 1)
        end = i + size
        if sid == 2:  # imports: function imports come first in the function index space
            n, j = leb(data, i)
            for _ in range(n):
                for _ in range(2):  # module and field names
                    length, j = leb(data, j)
                    j += length
                kind = data[j]
                if kind != 0:
                    sys.exit('wasm-order: only function imports are handled')
                imported += 1
                _, j = leb(data, j + 1)
        elif sid == 10:  # code
            n, j = leb(data, i)
            for _ in range(n):
                length, j = leb(data, j)
                bodies.append(data[j:j + length])
                j += length
        if sid != 0:
            kept.append(data[start:end])
        i = end
    n = len(bodies)
    if n == 0:
        open(dst, 'wb').write(data)
        return
    left = set(range(n))
    first = max(left, key=lambda f: (len(bodies[f]), -f))
    order = [first]
    left.remove(first)
    placed = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    placed.compress(bodies[first])
    placed.flush(zlib.Z_SYNC_FLUSH)
    while left:
        best = None
        for f in sorted(left):
            c = placed.copy()
            added = len(c.compress(bodies[f])) + len(c.flush(zlib.Z_SYNC_FLUSH))
            key = added - 0.5 * len(bodies[f])
            if best is None or key < best[0]:
                best = (key, f)
        f = best[1]
        order.append(f)
        left.remove(f)
        placed.compress(bodies[f])
        placed.flush(zlib.Z_SYNC_FLUSH)
    rank = {f: r for r, f in enumerate(order)}
    names = bytearray(uleb(imported + n))
    for f in range(imported):
        name = b'a%05d' % f
        names += uleb(f) + uleb(len(name)) + name
    for f in range(n):
        name = b'f%05d' % rank[f]
        names += uleb(imported + f) + uleb(len(name)) + name
    payload = uleb(4) + b'name' + b'\x01' + uleb(len(names)) + bytes(names)
    with open(dst, 'wb') as out:
        out.write(data[:8] + b''.join(kept) + b'\x00' + uleb(len(payload)) + payload)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
