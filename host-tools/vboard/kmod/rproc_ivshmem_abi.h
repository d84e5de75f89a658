/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between rproc_ivshmem.ko (in the guest) and rplat-vboard-server (the ivshmem server and
 * remote, on the host): the layout of the shared memory (ivshmem BAR2), the control block in it and the
 * meaning of the doorbell vectors. Included by both; plain fixed-width types only.
 *
 * Addresses. The remote sees the shared memory through two windows, as a core with a local view of its
 * own memory and a 1:1 view of the host's DMA memory would (the AM62x M4F through its RAT):
 *   - the firmware window [RPLAT_VB_FW_DA, + size): where the firmware ELF is linked (its resource
 *     table and trace buffer);
 *   - the DMA window [bar_pa, + size), bar_pa being the guest-physical address of BAR2: the carveouts
 *     (vrings, buffers) get device address == guest-physical address, because virtio_ring puts guest
 *     physical addresses (sg_phys) in the descriptors whatever the carveout's da is.
 */
#ifndef RPROC_IVSHMEM_ABI_H
#define RPROC_IVSHMEM_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* BAR2 layout (byte offsets); the shared memory is at least RPLAT_VB_SHM_MIN bytes */
#define RPLAT_VB_RSC_OFF	0x00000u	/* resource table (the firmware ELF's segment) */
#define RPLAT_VB_TRACE_OFF	0x01000u	/* trace buffer */
#define RPLAT_VB_TRACE_LEN	0x01000u
#define RPLAT_VB_CTRL_OFF	0x02000u	/* struct rplat_vb_ctrl */
#define RPLAT_VB_VRING0_OFF	0x10000u	/* carveout vdev0vring0 */
#define RPLAT_VB_VRING1_OFF	0x20000u	/* carveout vdev0vring1 */
#define RPLAT_VB_VRING_LEN	0x10000u	/* room for num 1024 at align 4096 */
#define RPLAT_VB_RING_OFF	0x30000u	/* carveout rplat-ring: the rplat hooks' event ring (issue 12) */
#define RPLAT_VB_RING_LEN	0x10000u
#define RPLAT_VB_BUF_OFF	0x40000u	/* carveout vdev0buffer, to the end of the first MiB */
#define RPLAT_VB_BUF_LEN	0xc0000u
#define RPLAT_VB_SHM_MIN	0x100000u

/* where the firmware image is linked: the start of the shared memory in the remote's own view
 * (mps2-an386's PSRAM base, so that the QEMU firmware can run from the same file) */
#define RPLAT_VB_FW_DA		0x21000000u

/* MSI-X / eventfd vectors, the same numbers in both directions */
#define RPLAT_VB_VEC_VQ		0	/* a vring has work (guest -> remote: avail; remote -> guest: used) */
#define RPLAT_VB_VEC_CTRL	1	/* the control block changed */
#define RPLAT_VB_NVEC		2

#define RPLAT_VB_MAGIC		0x44524256u	/* "VBRD" */
#define RPLAT_VB_VERSION	1u

enum rplat_vb_state {
	RPLAT_VB_OFFLINE = 0,
	RPLAT_VB_RUNNING = 1,
	RPLAT_VB_CRASHED = 2,	/* the remote died without being stopped */
};

enum rplat_vb_cmd {
	RPLAT_VB_CMD_NONE = 0,
	RPLAT_VB_CMD_START = 1,
	RPLAT_VB_CMD_STOP = 2,
};

/*
 * The control block at RPLAT_VB_CTRL_OFF. "server" fields are written by the server only, "guest" fields
 * by the driver only. A command: the guest writes cmd (and bar_pa), then increments cmd_seq, then rings
 * the remote's RPLAT_VB_VEC_CTRL; the server carries it out, sets state, copies cmd_seq into ack_seq and
 * rings the guest's RPLAT_VB_VEC_CTRL. A crash: the server sets state CRASHED, increments crash_seq and
 * rings the guest's RPLAT_VB_VEC_CTRL.
 */
struct rplat_vb_ctrl {
	uint32_t magic;		/* server: RPLAT_VB_MAGIC once the memory is set up */
	uint32_t version;	/* server: RPLAT_VB_VERSION */
	uint32_t remote_id;	/* server: ivshmem peer id of the remote */
	uint32_t state;		/* server: enum rplat_vb_state */
	uint32_t ack_seq;	/* server */
	uint32_t crash_seq;	/* server */
	uint32_t exit_status;	/* server: the remote's wait() status when it died */
	uint32_t reserved0;
	uint32_t cmd;		/* guest: enum rplat_vb_cmd */
	uint32_t cmd_seq;	/* guest */
	uint32_t guest_id;	/* guest: its IVPosition */
	uint32_t reserved1;
	uint32_t bar_pa_lo;	/* guest: guest-physical address of BAR2 (the DMA window) */
	uint32_t bar_pa_hi;
	uint32_t shm_size;	/* guest: BAR2 length as the guest sees it */
	uint32_t reserved2;
};

#endif
