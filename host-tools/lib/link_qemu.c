/* Placeholder until the qemu link lands. */
#include "rplat/link.h"
#include "rplat/util.h"

static int open_qemu(struct rplat_link *l, const char *args, char *err, size_t errlen)
{
	(void)l;
	(void)args;
	return rplat_fail(err, errlen, "the qemu link is not implemented yet");
}

static int send_qemu(struct rplat_link *l, const void *buf, size_t len)
{
	(void)l;
	(void)buf;
	(void)len;
	return -1;
}

static ssize_t recv_qemu(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	(void)l;
	(void)buf;
	(void)cap;
	(void)timeout_ns;
	return -1;
}

static void close_qemu(struct rplat_link *l)
{
	(void)l;
}

const struct rplat_link_ops rplat_link_qemu_ops = {
	.name = "qemu",
	.help = "  qemu:...        (not implemented yet)",
	.open = open_qemu,
	.send = send_qemu,
	.recv = recv_qemu,
	.close = close_qemu,
};
