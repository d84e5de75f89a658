#include "cm_service.h"

void cm_service(struct cm_service *s)
{
	int rc;

	if (s->attached) {
		rp_probe_poll(s->probe);
		return;
	}
	rc = rp_probe_attach(s->probe, s->rsc);
	if (rc == 0) {
		s->attached = 1;
		tlog_puts(s->log, "attached: vring0 da ");
		tlog_hex(s->log, s->rsc->vring0.da);
		tlog_puts(s->log, " vring1 da ");
		tlog_hex(s->log, s->rsc->vring1.da);
		tlog_puts(s->log, " num ");
		tlog_dec(s->log, s->rsc->vring1.num);
		tlog_puts(s->log, ", announced rpmsg-raw and rpmsg_chrdev on port 14\n");
		rp_probe_poll(s->probe);
	} else if (rc < 0 && !s->bad_table) {
		s->bad_table = 1;
		tlog_puts(s->log, "error: the vrings the host wrote back are outside ");
		tlog_puts(s->log, s->pool);
		tlog_puts(s->log, " or unusable\n");
	}
}
