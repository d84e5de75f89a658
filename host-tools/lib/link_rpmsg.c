/* Placeholder until the rpmsg link lands. */
#include "rplat/link.h"
#include "rplat/util.h"

static int open_rpmsg(struct rplat_link *l, const char *args, char *err, size_t errlen)
{
	(void)l;
	(void)args;
	return rplat_fail(err, errlen, "the rpmsg link is not implemented yet");
}

static int send_rpmsg(struct rplat_link *l, const void *buf, size_t len)
{
	(void)l;
	(void)buf;
	(void)len;
	return -1;
}

static ssize_t recv_rpmsg(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	(void)l;
	(void)buf;
	(void)cap;
	(void)timeout_ns;
	return -1;
}

static void close_rpmsg(struct rplat_link *l)
{
	(void)l;
}

const struct rplat_link_ops rplat_link_rpmsg_ops = {
	.name = "rpmsg",
	.help = "  rpmsg:...        (not implemented yet)",
	.open = open_rpmsg,
	.send = send_rpmsg,
	.recv = recv_rpmsg,
	.close = close_rpmsg,
};
