/* Link registry and the generic entry points. See rplat/link.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "rplat/link.h"
#include "rplat/util.h"

extern const struct rplat_link_ops rplat_link_sim_ops;
extern const struct rplat_link_ops rplat_link_qemu_ops;
extern const struct rplat_link_ops rplat_link_rpmsg_ops;

const struct rplat_link_ops *const rplat_link_types[] = {
	&rplat_link_sim_ops,
	&rplat_link_qemu_ops,
	&rplat_link_rpmsg_ops,
	NULL,
};

/* Children any link owns, for the fatal-signal path. Fixed slots: the handler may not allocate. */
#define MAX_CHILDREN 8
static volatile pid_t children[MAX_CHILDREN];

void rplat_link_track_child(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (!children[i]) {
			children[i] = pid;
			return;
		}
}

void rplat_link_untrack_child(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid)
			children[i] = 0;
}

void rplat_link_kill_children(void)
{
	int i;

	for (i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
}

struct rplat_link *rplat_link_open(const char *spec, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	struct rplat_link *l;
	int i;

	for (i = 0; rplat_link_types[i]; i++) {
		const struct rplat_link_ops *ops = rplat_link_types[i];

		if (strlen(ops->name) != n || strncmp(ops->name, spec, n))
			continue;
		l = calloc(1, sizeof(*l));
		if (!l) {
			rplat_fail(err, errlen, "out of memory");
			return NULL;
		}
		l->ops = ops;
		snprintf(l->spec, sizeof(l->spec), "%s", spec);
		snprintf(l->desc, sizeof(l->desc), "%s", spec);
		if (ops->open(l, colon ? colon + 1 : "", err, errlen)) {
			free(l);
			return NULL;
		}
		return l;
	}
	rplat_fail(err, errlen, "unknown link '%.*s' in '%s' (expected sim:, qemu: or rpmsg:)", (int)n, spec,
		   spec);
	return NULL;
}

int rplat_link_send(struct rplat_link *l, const void *buf, size_t len)
{
	return l->ops->send(l, buf, len);
}

ssize_t rplat_link_recv(struct rplat_link *l, void *buf, size_t cap, int64_t timeout_ns)
{
	return l->ops->recv(l, buf, cap, timeout_ns);
}

void rplat_link_close(struct rplat_link *l)
{
	if (!l)
		return;
	l->ops->close(l);
	free(l);
}
