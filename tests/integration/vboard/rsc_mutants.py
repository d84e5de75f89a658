#!/usr/bin/env python3
"""Mutants of the virtual board's firmware ELF for the kernel-as-oracle test of `rplat check rsc`.

usage: rsc_mutants.py BASE.elf OUTDIR   -> OUTDIR/oracle-NAME.elf, one per line on stdout: NAME

Each mutant changes one thing the kernel's ELF loader or resource-table parser looks at (or, for the
"keep" ones, something it does not); the test asks check rsc whether the kernel refuses it and then lets
the guest's remoteproc answer. Offsets come from the base image's own headers, not from constants."""
import struct
import sys

base = open(sys.argv[1], 'rb').read()
out = sys.argv[2]

e_phoff, e_shoff = struct.unpack_from('<II', base, 28)
e_shentsize, e_shnum, e_shstrndx = struct.unpack_from('<HHH', base, 46)
ph = e_phoff
shstr_off = struct.unpack_from('<I', base, e_shoff + e_shstrndx * e_shentsize + 16)[0]


def section(name):
    for i in range(e_shnum):
        sh = e_shoff + i * e_shentsize
        n = struct.unpack_from('<I', base, sh)[0]
        if base[shstr_off + n:].split(b'\0')[0] == name:
            return sh
    raise SystemExit('no section ' + name.decode())


rsc_sh = section(b'.resource_table')
tab = struct.unpack_from('<I', base, rsc_sh + 16)[0]           # sh_offset: the table in the file
off0, off1 = struct.unpack_from('<II', base, tab + 16)
vdev = tab + off0 + 4                                         # fw_rsc_vdev body
vring0 = vdev + 24
trace = tab + off1 + 4                                        # fw_rsc_trace body


def u32(at, v):
    return lambda b: struct.pack_into('<I', b, at, v)


def u16(at, v):
    return lambda b: struct.pack_into('<H', b, at, v)


def u8(at, v):
    def f(b):
        b[at] = v
    return f


def rename(b):
    n = struct.unpack_from('<I', b, rsc_sh)[0]
    b[shstr_off + n + len('.resource_tabl')] = ord('X')


mutants = {
    'clean': lambda b: None,
    'keep-machine-x86': u16(18, 62),             # e_machine: the kernel does not look
    'elf-class': u8(4, 3),
    'elf-endian': u8(5, 2),
    'elf-no-phdrs': u16(44, 0),
    'elf-phdrs-outside': u32(28, 0x100000),
    'elf-seg-memsz': u32(ph + 20, 0x10),         # p_memsz < p_filesz
    'elf-seg-truncated': u32(ph + 4, 0x100000),  # p_offset past the end
    'elf-no-rsc': rename,
    'elf-rsc-truncated': u32(rsc_sh + 20, 0x100000),
    'rsc-size': u32(rsc_sh + 20, 8),
    'rsc-ver': u32(tab, 2),
    'rsc-reserved': u32(tab + 8, 1),
    'rsc-offsets-truncated': u32(tab + 4, 1000),
    'rsc-offset-range': u32(tab + 20, 0x1000),
    'vdev-reserved': u8(vdev + 22, 1),
    'vdev-too-many-vrings': u8(vdev + 21, 3),
    'vdev-config-truncated': u32(vdev + 16, 0x10000),
    'vring-num-zero': u32(vring0 + 8, 0),
    'vring-align-zero': u32(vring0 + 4, 0),
    'trace-reserved': u32(trace + 8, 1),
}

for name, f in mutants.items():
    b = bytearray(base)
    f(b)
    if name == 'elf-truncated':
        b = b[:40]
    open('%s/oracle-%s.elf' % (out, name), 'wb').write(b)
    print(name)
open('%s/oracle-elf-truncated.elf' % out, 'wb').write(base[:40])
print('elf-truncated')
