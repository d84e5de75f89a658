// SPDX-License-Identifier: GPL-2.0
/*
 * rproc_ivshmem: a remoteproc driver for QEMU's ivshmem-doorbell PCI device (1af4:1110), the "virtual
 * board" of rplat. The remote processor is a process on the host (rplat-vboard-server) that maps the
 * same shared memory and gets the same doorbells:
 *
 *   BAR0  registers: IVPosition (our peer id), Doorbell ((peer << 16) | vector)
 *   BAR1  MSI-X table
 *   BAR2  the shared memory: resource table, trace buffer, control block, vrings, rpmsg buffers
 *         (layout in rproc_ivshmem_abi.h)
 *
 * The firmware ELF is loaded by remoteproc's ELF loader into BAR2 through da_to_va(); the carveouts
 * vdev0vring0, vdev0vring1 and vdev0buffer are registered in prepare() at device address == BAR2's
 * guest-physical address, because the descriptors virtio_ring writes carry physical addresses. Where
 * they are: when the PCI device has a device-tree node (the arm64 board: /pcie@.../rproc@N, made by
 * host-tools/vboard/dt-remote.sh) its memory-region entries, named like stm32_rproc's and imx_rproc's
 * regions (vdev0vring0, vdev0vring1, vdev0buffer, rplat-ring; any other one, such as rsc-table, is only
 * checked), each of which must lie inside BAR2; without a node (x86_64) the fixed layout of
 * rproc_ivshmem_abi.h. Either way "rplat-ring" is registered too (a table's CARVEOUT of that name binds
 * to it): from the tree when it names it, else at its fixed slot. kick() rings the remote's vring vector; the remote's vring vector (MSI-X 0, "ivshmem-mbox-vq") calls
 * rproc_vq_interrupt() from a threaded handler, as the TI K3 drivers do from their mailbox callback.
 * start() and stop() are commands in the control block, acknowledged on MSI-X 1 ("ivshmem-mbox-ctrl"),
 * which also reports a remote that died (rproc_report_crash()).
 */
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/pci.h>
#include <linux/remoteproc.h>
#include <linux/wait.h>

#include "remoteproc_internal.h"
#include "rproc_ivshmem_abi.h"

#define IVSHMEM_REG_IVPOSITION	0x08
#define IVSHMEM_REG_DOORBELL	0x0c

#define IVSHMEM_BAR_REGS	0
#define IVSHMEM_BAR_SHM		2

static char *firmware = "rplat-vboard.elf";
module_param(firmware, charp, 0444);
MODULE_PARM_DESC(firmware, "firmware file name in /lib/firmware (default rplat-vboard.elf)");

static ulong bar_pa = RPLAT_VB_FW_DA;
module_param(bar_pa, ulong, 0444);
MODULE_PARM_DESC(bar_pa, "move BAR2 to this guest-physical address, so that device addresses equal physical ones "
		 "as on a board with a fixed DMA pool (default 0x21000000, the firmware's own address of its "
		 "shared memory; 0 = keep the address the BIOS assigned)");

static unsigned int cmd_timeout_ms = 10000;
module_param(cmd_timeout_ms, uint, 0644);
MODULE_PARM_DESC(cmd_timeout_ms, "how long start/stop wait for the remote's answer (ms, default 10000)");

struct rproc_ivshmem {
	struct pci_dev *pdev;
	struct rproc *rproc;
	void __iomem *regs;
	void *shm;			/* BAR2, mapped write-combined */
	phys_addr_t shm_pa;
	size_t shm_len;
	struct rplat_vb_ctrl *ctrl;
	u32 peer_id;			/* our IVPosition */
	wait_queue_head_t ack_wq;
	u32 cmd_seq;
	u32 crash_seen;
	bool started;
};

static void rproc_ivshmem_ring(struct rproc_ivshmem *vb, u32 vector)
{
	u32 peer = READ_ONCE(vb->ctrl->remote_id);

	writel((peer << 16) | (vector & 0xffff), vb->regs + IVSHMEM_REG_DOORBELL);
}

/* Post a command and wait for the server to carry it out. */
static int rproc_ivshmem_command(struct rproc_ivshmem *vb, u32 cmd, u32 want_state)
{
	struct rplat_vb_ctrl *c = vb->ctrl;
	struct device *dev = &vb->pdev->dev;
	u32 seq = ++vb->cmd_seq;
	long left;

	WRITE_ONCE(c->cmd, cmd);
	WRITE_ONCE(c->guest_id, vb->peer_id);
	WRITE_ONCE(c->bar_pa_lo, lower_32_bits(vb->shm_pa));
	WRITE_ONCE(c->bar_pa_hi, upper_32_bits(vb->shm_pa));
	WRITE_ONCE(c->shm_size, (u32)vb->shm_len);
	wmb(); /* the command before its sequence number */
	WRITE_ONCE(c->cmd_seq, seq);
	wmb();
	rproc_ivshmem_ring(vb, RPLAT_VB_VEC_CTRL);

	left = wait_event_timeout(vb->ack_wq, READ_ONCE(c->ack_seq) == seq,
				  msecs_to_jiffies(cmd_timeout_ms));
	if (!left) {
		dev_err(dev, "remote (peer %u) did not answer %s within %u ms: is rplat-vboard-server running?\n",
			READ_ONCE(c->remote_id), cmd == RPLAT_VB_CMD_START ? "start" : "stop", cmd_timeout_ms);
		return -ETIMEDOUT;
	}
	rmb();
	if (READ_ONCE(c->state) != want_state) {
		dev_err(dev, "remote answered %s with state %u\n",
			cmd == RPLAT_VB_CMD_START ? "start" : "stop", READ_ONCE(c->state));
		return -EIO;
	}
	return 0;
}

static int rproc_ivshmem_mem_alloc(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	struct rproc_ivshmem *vb = rproc->priv;

	mem->va = vb->shm + (mem->dma - vb->shm_pa);
	return 0;
}

static int rproc_ivshmem_mem_release(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	mem->va = NULL;
	return 0;
}

static int rproc_ivshmem_add_carveout(struct rproc_ivshmem *vb, const char *name, phys_addr_t pa, size_t len,
				      bool mapped)
{
	struct rproc *rproc = vb->rproc;
	struct rproc_mem_entry *mem;

	mem = rproc_mem_entry_init(&rproc->dev, NULL, (dma_addr_t)pa, len, (u32)pa,
				   mapped ? rproc_ivshmem_mem_alloc : NULL,
				   mapped ? rproc_ivshmem_mem_release : NULL, "%s", name);
	if (!mem)
		return -ENOMEM;
	rproc_add_carveout(rproc, mem);
	return 0;
}

/* The carveouts from the device-tree node's memory-region (reserved-memory regions inside BAR2). */
static int rproc_ivshmem_prepare_of(struct rproc_ivshmem *vb, struct device_node *np, int n, bool *ring)
{
	struct device *dev = &vb->pdev->dev;
	int i, ret, found = 0;

	for (i = 0; i < n; i++) {
		struct device_node *rn = of_parse_phandle(np, "memory-region", i);
		struct reserved_mem *rmem;
		bool vring;

		if (!rn) {
			dev_err(dev, "memory-region entry %d: no such node\n", i);
			return -EINVAL;
		}
		rmem = of_reserved_mem_lookup(rn);
		if (!rmem) {
			dev_err(dev, "memory-region entry %d (%pOF): not a reserved-memory region\n", i, rn);
			of_node_put(rn);
			return -EINVAL;
		}
		if (rmem->base < vb->shm_pa || rmem->size > vb->shm_len ||
		    rmem->base - vb->shm_pa > vb->shm_len - rmem->size) {
			dev_err(dev, "memory-region %pOF (%pa + %pa) is outside BAR2 (%pa + 0x%zx): the remote cannot reach it\n",
				rn, &rmem->base, &rmem->size, &vb->shm_pa, vb->shm_len);
			of_node_put(rn);
			return -EINVAL;
		}
		vring = !strcmp(rn->name, "vdev0vring0") || !strcmp(rn->name, "vdev0vring1");
		if (!strcmp(rn->name, "rplat-ring")) {
			ret = rproc_ivshmem_add_carveout(vb, rn->name, rmem->base, rmem->size, true);
			if (ret) {
				of_node_put(rn);
				return ret;
			}
			*ring = true;
		} else if (vring || !strcmp(rn->name, "vdev0buffer")) {
			/* vdev0buffer stays unmapped: remoteproc_virtio declares it as a DMA pool */
			ret = rproc_ivshmem_add_carveout(vb, rn->name, rmem->base, rmem->size, vring);
			if (ret) {
				of_node_put(rn);
				return ret;
			}
			found++;
		}
		of_node_put(rn);
	}
	if (found != 3) {
		dev_err(dev, "%pOF: memory-region names %d of vdev0vring0, vdev0vring1, vdev0buffer, needs all three\n",
			np, found);
		return -EINVAL;
	}
	return 0;
}

/* Register the carveouts in the DMA window, where the remote can reach what Linux puts in them. */
static int rproc_ivshmem_prepare(struct rproc *rproc)
{
	static const struct {
		const char *name;
		u32 off, len;
		bool mapped;	/* vdev0buffer stays unmapped: remoteproc_virtio declares it as a DMA pool */
	} cv[] = {
		{ "vdev0vring0", RPLAT_VB_VRING0_OFF, RPLAT_VB_VRING_LEN, true },
		{ "vdev0vring1", RPLAT_VB_VRING1_OFF, RPLAT_VB_VRING_LEN, true },
		{ "vdev0buffer", RPLAT_VB_BUF_OFF, RPLAT_VB_BUF_LEN, false },
	};
	struct rproc_ivshmem *vb = rproc->priv;
	struct device_node *np = vb->pdev->dev.of_node;
	bool ring = false;
	unsigned int i;
	int n, ret;

	n = np ? of_count_phandle_with_args(np, "memory-region", NULL) : 0;
	if (n > 0) {
		ret = rproc_ivshmem_prepare_of(vb, np, n, &ring);
		if (ret)
			return ret;
	} else {
		for (i = 0; i < ARRAY_SIZE(cv); i++) {
			ret = rproc_ivshmem_add_carveout(vb, cv[i].name, vb->shm_pa + cv[i].off, cv[i].len,
							 cv[i].mapped);
			if (ret)
				return ret;
		}
	}
	/* the rplat hooks' event ring (issue 12), for a firmware whose table names it (the echo example's):
	 * the fixed slot between the vrings and the buffers in either layout; a table's CARVEOUT that no
	 * driver registered would be allocated in guest RAM, out of the host remote's reach. A device tree
	 * that names it (dt-remote.sh's does) gave it above. */
	if (ring)
		return 0;
	return rproc_ivshmem_add_carveout(vb, "rplat-ring", vb->shm_pa + RPLAT_VB_RING_OFF, RPLAT_VB_RING_LEN, true);
}

static int rproc_ivshmem_start(struct rproc *rproc)
{
	struct rproc_ivshmem *vb = rproc->priv;
	int ret;

	ret = rproc_ivshmem_command(vb, RPLAT_VB_CMD_START, RPLAT_VB_RUNNING);
	if (ret)
		return ret;
	vb->crash_seen = READ_ONCE(vb->ctrl->crash_seq);
	vb->started = true;
	return 0;
}

static int rproc_ivshmem_stop(struct rproc *rproc)
{
	struct rproc_ivshmem *vb = rproc->priv;

	vb->started = false;
	return rproc_ivshmem_command(vb, RPLAT_VB_CMD_STOP, RPLAT_VB_OFFLINE);
}

static void rproc_ivshmem_kick(struct rproc *rproc, int vqid)
{
	/* one doorbell for both vrings, as a mailbox carrying no payload: the remote looks at both */
	rproc_ivshmem_ring(rproc->priv, RPLAT_VB_VEC_VQ);
}

/* Both windows onto BAR2: the firmware's own (ELF load, resource table, trace) and the DMA one. */
static void *rproc_ivshmem_da_to_va(struct rproc *rproc, u64 da, size_t len, bool *is_iomem)
{
	struct rproc_ivshmem *vb = rproc->priv;
	u64 off;

	if (da >= RPLAT_VB_FW_DA && da - RPLAT_VB_FW_DA <= vb->shm_len)
		off = da - RPLAT_VB_FW_DA;
	else if (da >= vb->shm_pa && da - vb->shm_pa <= vb->shm_len)
		off = da - vb->shm_pa;
	else
		return NULL;
	if (len > vb->shm_len - off)
		return NULL;
	if (is_iomem)
		*is_iomem = false;
	return vb->shm + off;
}

static const struct rproc_ops rproc_ivshmem_ops = {
	.prepare	= rproc_ivshmem_prepare,
	.start		= rproc_ivshmem_start,
	.stop		= rproc_ivshmem_stop,
	.kick		= rproc_ivshmem_kick,
	.da_to_va	= rproc_ivshmem_da_to_va,
	.parse_fw	= rproc_elf_load_rsc_table,
	.load		= rproc_elf_load_segments,
	.find_loaded_rsc_table = rproc_elf_find_loaded_rsc_table,
	.sanity_check	= rproc_elf_sanity_check,
	.get_boot_addr	= rproc_elf_get_boot_addr,
};

static irqreturn_t rproc_ivshmem_vq_hardirq(int irq, void *data)
{
	return IRQ_WAKE_THREAD;
}

/* The remote's vring doorbell: look at both vrings (rproc_vq_interrupt() returns IRQ_NONE for one with
 * nothing new). Threaded, because the name-service message that arrives here registers a device. */
static irqreturn_t rproc_ivshmem_vq_thread(int irq, void *data)
{
	struct rproc_ivshmem *vb = data;

	rproc_vq_interrupt(vb->rproc, 0);
	rproc_vq_interrupt(vb->rproc, 1);
	return IRQ_HANDLED;
}

static irqreturn_t rproc_ivshmem_ctrl_irq(int irq, void *data)
{
	struct rproc_ivshmem *vb = data;
	u32 crash = READ_ONCE(vb->ctrl->crash_seq);

	wake_up(&vb->ack_wq);
	if (vb->started && crash != vb->crash_seen) {
		vb->crash_seen = crash;
		dev_err(&vb->pdev->dev, "remote died (wait status 0x%x)\n", READ_ONCE(vb->ctrl->exit_status));
		rproc_report_crash(vb->rproc, RPROC_FATAL_ERROR);
	}
	return IRQ_HANDLED;
}

/*
 * Move BAR2 to 'want' before the device is enabled: pci_release_resource(), claim the new range in the
 * resource tree (it must be free: above the guest's RAM, inside the root bus window), then program the
 * 64-bit BAR with memory decoding off. On any refusal the BAR stays where the BIOS put it.
 */
static int rproc_ivshmem_place_bar(struct pci_dev *pdev, u64 want)
{
	struct resource *res = &pdev->resource[IVSHMEM_BAR_SHM];
	resource_size_t size = resource_size(res);
	resource_size_t old = res->start;
	u16 cmd;
	int ret;

	if (!want || old == want)
		return 0;
	if (!(res->flags & IORESOURCE_MEM_64) || want & (size - 1)) {
		pci_warn(pdev, "BAR2 (%pa bytes) cannot move to 0x%llx: not a 64-bit BAR or not aligned\n", &size, want);
		return -EINVAL;
	}
	pci_release_resource(pdev, IVSHMEM_BAR_SHM);
	res->start = want;
	res->end = want + size - 1;
	res->flags &= ~IORESOURCE_UNSET;
	ret = pci_claim_resource(pdev, IVSHMEM_BAR_SHM);
	if (ret) {
		res->start = old;
		res->end = old + size - 1;
		res->flags &= ~IORESOURCE_UNSET;
		if (pci_claim_resource(pdev, IVSHMEM_BAR_SHM))
			pci_err(pdev, "BAR2 lost: cannot re-claim %pR\n", res);
		return ret;
	}
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	pci_write_config_word(pdev, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_write_config_dword(pdev, PCI_BASE_ADDRESS_2, lower_32_bits(want));
	pci_write_config_dword(pdev, PCI_BASE_ADDRESS_3, upper_32_bits(want));
	pci_write_config_word(pdev, PCI_COMMAND, cmd);
	pci_info(pdev, "BAR2 moved to %pR\n", res);
	return 0;
}

/* Everything here is device-managed (pcim/devm), so an error just returns and the driver core undoes the
 * rest in reverse order; removal likewise (rproc_del, the irqs, rproc_free, the vectors, the BARs). */
static int rproc_ivshmem_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct rproc_ivshmem *vb;
	struct rproc *rproc;
	int ret, nvec;

	if (rproc_ivshmem_place_bar(pdev, bar_pa))
		dev_warn(dev, "BAR2 stays at %pa: device addresses will be that, not 0x%lx\n",
			 &pdev->resource[IVSHMEM_BAR_SHM].start, bar_pa);
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(IVSHMEM_BAR_REGS), KBUILD_MODNAME);
	if (ret)
		return dev_err_probe(dev, ret, "cannot map BAR0\n");
	/* BAR2 is mapped write-combined below, never through pcim_iomap (an uncached mapping of the same
	 * range would conflict with it) */
	ret = pcim_request_region(pdev, IVSHMEM_BAR_SHM, KBUILD_MODNAME);
	if (ret)
		return dev_err_probe(dev, ret, "cannot claim BAR2\n");

	rproc = devm_rproc_alloc(dev, "rplat-vboard", &rproc_ivshmem_ops, firmware, sizeof(*vb));
	if (!rproc)
		return -ENOMEM;
	vb = rproc->priv;
	vb->pdev = pdev;
	vb->rproc = rproc;
	vb->regs = pcim_iomap_table(pdev)[IVSHMEM_BAR_REGS];
	vb->shm_pa = pci_resource_start(pdev, IVSHMEM_BAR_SHM);
	vb->shm_len = pci_resource_len(pdev, IVSHMEM_BAR_SHM);
	init_waitqueue_head(&vb->ack_wq);
	rproc->auto_boot = false;

	if (vb->shm_len < RPLAT_VB_SHM_MIN)
		return dev_err_probe(dev, -ENODEV, "shared memory is %zu bytes, needs at least %u\n",
				     vb->shm_len, RPLAT_VB_SHM_MIN);
	/* carveout device addresses are 32-bit in the resource table */
	if ((u64)vb->shm_pa + vb->shm_len > 0x100000000ull)
		return dev_err_probe(dev, -ENODEV, "BAR2 at %pa is above 4 GiB: resource-table addresses are 32-bit\n",
				     &vb->shm_pa);
	vb->shm = devm_memremap(dev, vb->shm_pa, vb->shm_len, MEMREMAP_WC);
	if (IS_ERR(vb->shm))
		return dev_err_probe(dev, PTR_ERR(vb->shm), "cannot map BAR2\n");
	vb->ctrl = vb->shm + RPLAT_VB_CTRL_OFF;
	if (READ_ONCE(vb->ctrl->magic) != RPLAT_VB_MAGIC || READ_ONCE(vb->ctrl->version) != RPLAT_VB_VERSION)
		return dev_err_probe(dev, -ENODEV,
				     "shared memory not set up by rplat-vboard-server (magic 0x%x version %u)\n",
				     READ_ONCE(vb->ctrl->magic), READ_ONCE(vb->ctrl->version));
	vb->peer_id = readl(vb->regs + IVSHMEM_REG_IVPOSITION);
	vb->cmd_seq = READ_ONCE(vb->ctrl->ack_seq);

	pci_set_master(pdev);
	nvec = pci_alloc_irq_vectors(pdev, RPLAT_VB_NVEC, RPLAT_VB_NVEC, PCI_IRQ_MSIX);
	if (nvec < 0)
		return dev_err_probe(dev, nvec, "needs %d MSI-X vectors (ivshmem-doorbell,vectors=%d)\n",
				     RPLAT_VB_NVEC, RPLAT_VB_NVEC);
	ret = devm_request_threaded_irq(dev, pci_irq_vector(pdev, RPLAT_VB_VEC_VQ), rproc_ivshmem_vq_hardirq,
					rproc_ivshmem_vq_thread, IRQF_ONESHOT, "ivshmem-mbox-vq", vb);
	if (ret)
		return ret;
	ret = devm_request_irq(dev, pci_irq_vector(pdev, RPLAT_VB_VEC_CTRL), rproc_ivshmem_ctrl_irq, 0,
			       "ivshmem-mbox-ctrl", vb);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, vb);
	ret = devm_rproc_add(dev, rproc);
	if (ret)
		return ret;
	dev_info(dev, "rplat vboard: peer %u, remote peer %u, shared memory %zu KiB at %pa, firmware %s, carveouts from %s\n",
		 vb->peer_id, READ_ONCE(vb->ctrl->remote_id), vb->shm_len >> 10, &vb->shm_pa, firmware,
		 dev->of_node && of_property_present(dev->of_node, "memory-region") ? "the device tree" :
		 "rproc_ivshmem_abi.h");
	return 0;
}

static const struct pci_device_id rproc_ivshmem_ids[] = {
	{ PCI_DEVICE(0x1af4, 0x1110) },
	{ }
};
MODULE_DEVICE_TABLE(pci, rproc_ivshmem_ids);

static struct pci_driver rproc_ivshmem_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= rproc_ivshmem_ids,
	.probe		= rproc_ivshmem_probe,
};
module_pci_driver(rproc_ivshmem_driver);

MODULE_DESCRIPTION("remoteproc over QEMU ivshmem-doorbell (rplat virtual board)");
MODULE_LICENSE("GPL");
