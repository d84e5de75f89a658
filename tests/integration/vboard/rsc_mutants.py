#!/usr/bin/env python3
"""Mutants of the virtual board's firmware ELF for the kernel-as-oracle test of `rplat check rsc`.

usage: rsc_mutants.py BASE.elf OUTDIR   -> OUTDIR/oracle-NAME.elf, one per line on stdout: NAME RULE ALSO

Each mutant changes one thing the kernel's ELF loader or resource-table parser looks at (or, for the
"keep" ones, something it does not). RULE is the one `check rsc` rule the mutant is made to hit ("-":
none that the kernel refuses): the test requires check rsc to report exactly that rule among its errors,
then lets the guest's remoteproc answer. ALSO ("-" or a comma list) names the kernel-refuses rules that
follow from the same change and may be reported beside RULE. Together the mutants cover every rule check rsc marks "kernel
refuses" (the test compares this list with `check rsc --rules`). Offsets come from the base image's own
headers, not from constants."""
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
shstr_sh = section(b'.shstrtab')
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


def devmem(b):
    """A third entry, RSC_DEVMEM (da = pa = 0x21080000, 4 KiB, in the board's shared memory): the table
    grows by its offset word and the entry's 56 bytes, so the file is rebuilt (table, then .shstrtab and
    the section headers moved up) and the section, the segment's file size and e_shoff follow."""
    sz = struct.unpack_from('<I', b, rsc_sh + 20)[0]
    num = struct.unpack_from('<I', b, tab + 4)[0]
    offs = struct.unpack_from('<%dI' % num, b, tab + 16)
    body = [bytes(b[tab + o:tab + (offs[i + 1] if i + 1 < num else sz)]) for i, o in enumerate(offs)]
    dm = struct.pack('<IIIIII32s', 1, 0x21080000, 0x21080000, 0x1000, 0, 0, b'devmem0')
    hdr = 16 + 4 * (num + 1)
    noffs, at = [], hdr
    for e in body + [dm]:
        noffs.append(at)
        at += len(e)
    table = struct.pack('<IIII', 1, num + 1, 0, 0) + struct.pack('<%dI' % (num + 1), *noffs) + b''.join(body) + dm
    grow = len(table) - sz
    tail = bytes(b[tab + sz:])
    b[tab:] = table + tail
    struct.pack_into('<I', b, rsc_sh + 20 + grow, len(table))           # sh_size (headers moved by grow)
    struct.pack_into('<I', b, ph + 16, struct.unpack_from('<I', b, ph + 16)[0] + grow)  # p_filesz
    for sh in range(e_shoff + grow, e_shoff + grow + e_shnum * e_shentsize, e_shentsize):
        o = struct.unpack_from('<I', b, sh + 16)[0]
        if o > tab:
            struct.pack_into('<I', b, sh + 16, o + grow)
    struct.pack_into('<I', b, 32, e_shoff + grow)


# NAME: (change, the rule check rsc must report for it, "-" for none the kernel refuses)
mutants = {
    'clean': (lambda b: None, '-'),
    'keep-machine-x86': (u16(18, 62), '-'),           # e_machine: the kernel does not look
    'elf-class': (u8(4, 3), 'elf.class'),
    'elf-endian': (u8(5, 2), 'elf.endian'),
    'elf-no-phdrs': (u16(44, 0), 'elf.no_phdrs'),
    'elf-phdrs-outside': (u32(28, 0x100000), 'elf.phdrs_outside'),
    'elf-shdrs-outside': (u16(48, e_shnum + 1), 'elf.shdrs_outside'),  # one header more than the file holds
    'elf-seg-memsz': (u32(ph + 20, 0x10), 'elf.seg_memsz'),           # p_memsz < p_filesz
    'elf-seg-truncated': (u32(ph + 4, 0x100000), 'elf.seg_truncated'),  # p_offset past the end
    'elf-seg-da': (u32(ph + 12, 0x22000000), 'elf.seg_da'),   # p_paddr outside the board's shared memory
    'elf-no-rsc': (rename, 'elf.no_rsc'),
    'elf-rsc-truncated': (u32(rsc_sh + 20, 0x100000), 'elf.rsc_truncated'),
    'rsc-size': (u32(rsc_sh + 20, 8), 'rsc.size'),
    'rsc-ver': (u32(tab, 2), 'rsc.ver'),
    'rsc-reserved': (u32(tab + 8, 1), 'rsc.reserved'),
    'rsc-offsets-truncated': (u32(tab + 4, 1000), 'rsc.offsets_truncated'),
    'rsc-offset-range': (u32(tab + 20, 0x1000), 'rsc.offset_range'),
    'vdev-reserved': (u8(vdev + 22, 1), 'rsc.entry_reserved'),
    'vdev-too-many-vrings': (u8(vdev + 21, 3), 'rsc.vdev_vrings_max'),
    'vdev-config-truncated': (u32(vdev + 16, 0x10000), 'rsc.entry_truncated'),
    'vring-num-zero': (u32(vring0 + 8, 0), 'rsc.vring_zero'),
    'vring-align-zero': (u32(vring0 + 4, 0), 'rsc.vring_zero'),
    'trace-reserved': (u32(trace + 8, 1), 'rsc.entry_reserved'),
    'devmem-no-iommu': (devmem, 'rsc.devmem_no_iommu'),
}

# Refusals that follow from the one change and that check rsc may report beside it (the kernel stops at
# the first): a big-endian header read as such puts every offset past the file; section headers past
# the end leave no section to find the table in.
also = {
    'elf-endian': 'elf.truncated,elf.phdrs_outside,elf.no_rsc',
    'elf-shdrs-outside': 'elf.no_rsc',
}

for name, (f, rule) in mutants.items():
    b = bytearray(base)
    f(b)
    open('%s/oracle-%s.elf' % (out, name), 'wb').write(b)
    print(name, rule, also.get(name, '-'))
open('%s/oracle-elf-truncated.elf' % out, 'wb').write(base[:40])
print('elf-truncated', 'elf.truncated', '-')
