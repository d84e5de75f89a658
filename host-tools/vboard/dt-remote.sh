#!/bin/sh
# Describe the virtual board's remote processor in a device tree dumped from QEMU's virt machine
# (qemu-system-aarch64 -machine virt,...,dumpdtb=FILE), the way a board's tree describes its M4F:
#
#   host-tools/vboard/dt-remote.sh [--slot N] [--shm-size BYTES] DTB
#
# edits DTB in place with fdtput (device-tree-compiler):
#   /reserved-memory (#address-cells 2, #size-cells 2, ranges) with the remote's regions, all in the
#   ivshmem BAR2 at its guest-physical address RPLAT_VB_FW_DA (0x21000000, where rproc_ivshmem.ko
#   moves it), offsets from kmod/rproc_ivshmem_abi.h:
#     vdev0buffer@21040000   0xc0000  shared-dma-pool, no-map   the rpmsg buffers (the vdev's DMA pool)
#     vdev0vring0@21010000   0x10000  no-map                    vring 0
#     vdev0vring1@21020000   0x10000  no-map                    vring 1
#     rplat-ring@21030000    0x10000  no-map                    the rplat hooks' event ring (a firmware
#                                                               table's CARVEOUT "rplat-ring" binds to it)
#     rsc-table@21000000     0x10000  no-map                    resource table, trace buffer, control block
#                                                               (the firmware window's first 64 KiB)
#   /pcie@10000000/rproc@N: the ivshmem-doorbell PCI device in slot N (default 8; run.sh puts it
#   there with addr=N), compatible "pci1af4,1110" (its PCI ID: the PCI bus binding's name, which
#   Linux's pci_set_of_node() attaches to the device), firmware-name "rplat-vboard.elf" and
#   memory-region = <vdev0buffer vdev0vring0 vdev0vring1 rplat-ring rsc-table> (the vdev pool first).
# rproc_ivshmem.ko takes vdev0vring0/1, vdev0buffer and rplat-ring from this node when it has one (and refuses a
# region outside BAR2); `rplat check dt` in the guest reads the live tree. --shm-size (default 1 MiB)
# only checks that the regions fit the shared memory. Exit 0 ok, 1 failure, 2 usage.
set -eu
me=dt-remote.sh
slot=8 shm=1048576
while [ $# -gt 1 ]; do
    case $1 in
        --slot) slot=$2; shift 2 ;;
        --shm-size) shm=$2; shift 2 ;;
        *) echo "usage: $me [--slot N] [--shm-size BYTES] DTB" >&2; exit 2 ;;
    esac
done
[ $# -eq 1 ] || { echo "usage: $me [--slot N] [--shm-size BYTES] DTB" >&2; exit 2; }
dtb=$1
command -v dtc >/dev/null && command -v fdtput >/dev/null || { echo "$me: dtc/fdtput not installed (Debian: device-tree-compiler)" >&2; exit 1; }
[ -f "$dtb" ] || { echo "$me: $dtb: no such file" >&2; exit 1; }
[ "$shm" -ge $((0x100000)) ] || { echo "$me: the shared memory ($shm bytes) is smaller than the 1 MiB layout" >&2; exit 1; }

# the PCIe host bridge QEMU made (virt: pcie@10000000, "pci-host-ecam-generic")
host=$(fdtget -l "$dtb" / | grep -m1 '^pcie@') || { echo "$me: $dtb has no /pcie@... node" >&2; exit 1; }
base=0x21000000   # RPLAT_VB_FW_DA in kmod/rproc_ivshmem_abi.h: BAR2's guest-physical address
rm=/reserved-memory
fdtget "$dtb" / compatible >/dev/null || { echo "$me: $dtb: not a device tree blob" >&2; exit 1; }
if ! fdtget -l "$dtb" / | grep -qx reserved-memory; then
    fdtput -c "$dtb" $rm
    fdtput -t x "$dtb" $rm '#address-cells' 2
    fdtput -t x "$dtb" $rm '#size-cells' 2
    fdtput -t x "$dtb" $rm ranges
fi
# the new regions' phandles: above every phandle the tree has (QEMU allocates from 0x8000 up; a fixed
# number could collide with a tree that has more nodes)
ph=$(dtc -q -I dtb -O dts "$dtb" | sed -n 's/.*\(linux,\)\{0,1\}phandle = <\(0x[0-9a-fA-F]*\)>;.*/\2/p' |
     while read -r p; do echo $((p)); done | sort -n | tail -n 1)
ph=$(( ${ph:-0} + 1 ))
ph_pool=$ph ph_v0=$((ph + 1)) ph_v1=$((ph + 2)) ph_ring=$((ph + 3)) ph_rsc=$((ph + 4))
# region NAME OFFSET SIZE PHANDLE [pool]
region() {
    a=$((base + $2))
    n=$rm/$1@$(printf '%x' $a)
    fdtput -c "$dtb" "$n"
    fdtput -t x "$dtb" "$n" reg 0 "$(printf '%x' $a)" 0 "$(printf '%x' $3)"
    fdtput -t x "$dtb" "$n" phandle "$(printf '%x' "$4")"
    fdtput -t x "$dtb" "$n" no-map
    [ "${5:-}" != pool ] || fdtput -t s "$dtb" "$n" compatible shared-dma-pool
}
region vdev0buffer 0x40000 0xc0000 $ph_pool pool
region vdev0vring0 0x10000 0x10000 $ph_v0
region vdev0vring1 0x20000 0x10000 $ph_v1
region rplat-ring 0x30000 0x10000 $ph_ring
region rsc-table 0x0 0x10000 $ph_rsc

node=/$host/rproc@$(printf '%x' "$slot")
fdtput -c "$dtb" "$node"
# PCI unit address: phys.hi = bus << 16 | device << 11 | function << 8, then 2 address and 2 size cells
fdtput -t x "$dtb" "$node" reg "$(printf '%x' $((slot << 11)))" 0 0 0 0
fdtput -t s "$dtb" "$node" compatible pci1af4,1110
fdtput -t s "$dtb" "$node" firmware-name rplat-vboard.elf
fdtput -t x "$dtb" "$node" memory-region "$(printf '%x' $ph_pool)" "$(printf '%x' $ph_v0)" \
    "$(printf '%x' $ph_v1)" "$(printf '%x' $ph_ring)" "$(printf '%x' $ph_rsc)"
