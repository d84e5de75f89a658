#!/usr/bin/env python3
"""The firmware ELF's loadable segments against the virtual board's shared memory (the QEMU remote).

usage: fw_segments.py list ELF               one line per PT_LOAD: paddr filesz memsz flags
       fw_segments.py compare ELF SHM [--text-only]
                                             every PT_LOAD's file bytes must be byte-identical in SHM at
                                             paddr - 0x21000000 (--text-only: the read-only ones, which
                                             the running firmware and Linux never write); exit 1 if not
       fw_segments.py load ELF SHM           write them there, as rproc_elf_load_segments() does (and
                                             zero memsz - filesz): a stand-in for remoteproc
       fw_segments.py move ELF OUT PADDR     OUT = ELF with its executable PT_LOAD's p_paddr (and
                                             p_vaddr) set to PADDR: a segment outside the window
       fw_segments.py vectors ELF ADDR       the initial SP and reset vector of the vector table at ADDR
       fw_segments.py table SHM              the loaded resource table at SHM offset 0, as Linux left it:
                                             the vdev's status and both vrings' da
       fw_segments.py string ELF             a NUL-free rodata string of the image (at least 16 bytes)
Reads ELF32 little-endian headers itself, like the kernel's loader (p_paddr, not p_vaddr)."""
import struct
import sys

WINDOW = 0x21000000
PT_LOAD = 1
PF_W = 2


def phdrs(data):
    if data[:4] != b'\x7fELF' or data[4] != 1 or data[5] != 1:
        raise SystemExit('not an ELF32 little-endian file')
    e_phoff, = struct.unpack_from('<I', data, 28)
    e_phentsize, e_phnum = struct.unpack_from('<HH', data, 42)
    for i in range(e_phnum):
        at = e_phoff + i * e_phentsize
        p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, _ = struct.unpack_from('<8I', data, at)
        if p_type == PT_LOAD and p_memsz:
            yield at, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags


def main():
    cmd, elf = sys.argv[1], sys.argv[2]
    data = open(elf, 'rb').read()
    if cmd == 'table':
        ver, num = struct.unpack_from('<II', data, 0)
        off0, = struct.unpack_from('<I', data, 16)
        vdev = off0 + 4
        status = data[vdev + 20]
        da0, = struct.unpack_from('<I', data, vdev + 24)
        da1, = struct.unpack_from('<I', data, vdev + 44)
        print('ver %d num %d status 0x%02x vring0 0x%08x vring1 0x%08x' % (ver, num, status, da0, da1))
        return
    if cmd == 'list':
        for _, _, _, pa, fs, ms, fl in phdrs(data):
            print('0x%08x 0x%x 0x%x %s' % (pa, fs, ms, 'RW' if fl & PF_W else 'RO'))
    elif cmd in ('compare', 'load'):
        shm = sys.argv[3]
        text_only = '--text-only' in sys.argv[4:]
        with open(shm, 'r+b' if cmd == 'load' else 'rb') as f:
            bad = 0
            n = 0
            for _, off, _, pa, fs, ms, fl in phdrs(data):
                if pa < WINDOW:
                    raise SystemExit('segment at 0x%x is below the window 0x%x' % (pa, WINDOW))
                f.seek(pa - WINDOW)
                if cmd == 'load':
                    f.write(data[off:off + fs] + bytes(ms - fs))
                    continue
                if text_only and fl & PF_W:
                    continue
                got = f.read(fs)
                n += 1
                if got != data[off:off + fs]:
                    diff = next((i for i in range(min(len(got), fs)) if got[i] != data[off + i]), len(got))
                    print('segment 0x%08x (%d bytes): differs at +0x%x' % (pa, fs, diff))
                    bad += 1
                else:
                    print('segment 0x%08x (%d bytes): identical' % (pa, fs))
            if cmd == 'compare' and (bad or not n):
                sys.exit(1)
    elif cmd == 'move':
        out, new = sys.argv[3], int(sys.argv[4], 0)
        b = bytearray(data)
        for at, _, _, _, _, _, fl in phdrs(data):
            if fl & 1:  # PF_X
                struct.pack_into('<II', b, at + 8, new, new)
                break
        else:
            raise SystemExit('no executable PT_LOAD')
        open(out, 'wb').write(b)
    elif cmd == 'vectors':
        want = int(sys.argv[3], 0)
        for _, off, _, pa, fs, _, _ in phdrs(data):
            if pa <= want < pa + fs:
                print('0x%08x 0x%08x' % struct.unpack_from('<II', data, off + want - pa))
                return
        raise SystemExit('no segment holds 0x%x' % want)
    elif cmd == 'string':
        for _, off, _, pa, fs, _, fl in phdrs(data):
            if fl & PF_W:
                continue
            for s in data[off:off + fs].split(b'\0'):
                if len(s) >= 16 and all(32 <= c < 127 for c in s):
                    print(s.decode())
                    return
        raise SystemExit('no string')
    else:
        raise SystemExit(__doc__)


main()
