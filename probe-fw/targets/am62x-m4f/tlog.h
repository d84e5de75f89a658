/* A tiny log writer into the trace buffer the resource table declares (Linux shows it in
 * /sys/kernel/debug/remoteproc/remoteprocN/trace0; the qemu link reads it from the shared memory).
 *
 * The buffer holds NUL-terminated text. When it fills up, writing starts again at the beginning and the
 * older text after the NUL is lost, so a reader that stops at the first NUL always sees the newest
 * lines since the last wrap. No formatting beyond strings and numbers; no locking: log from one
 * context at a time. */
#ifndef TLOG_H
#define TLOG_H

#include <stdint.h>

struct tlog {
	char *buf;
	uint32_t len;
	uint32_t pos;
	void (*tee)(void *ctx, char c); /* optional copy of every character, e.g. to a console UART */
	void *tee_ctx;
};

/* Take over 'buf' (len >= 2 bytes) and clear it; no tee. */
void tlog_init(struct tlog *t, char *buf, uint32_t len);
void tlog_puts(struct tlog *t, const char *s);
void tlog_hex(struct tlog *t, uint32_t v); /* 0x%08x */
void tlog_dec(struct tlog *t, uint32_t v); /* %u */

#endif
