/* Trace-buffer log writer. See tlog.h. */
#include "tlog.h"

static void put(struct tlog *t, char c)
{
	if (t->tee)
		t->tee(t->tee_ctx, c);
	t->buf[t->pos++] = c;
	if (t->pos >= t->len - 1)
		t->pos = 0;
	t->buf[t->pos] = '\0';
}

void tlog_init(struct tlog *t, char *buf, uint32_t len)
{
	uint32_t i;

	t->buf = buf;
	t->len = len;
	t->pos = 0;
	t->tee = 0;
	t->tee_ctx = 0;
	for (i = 0; i < len; i++)
		buf[i] = '\0';
}

void tlog_puts(struct tlog *t, const char *s)
{
	while (*s)
		put(t, *s++);
}

void tlog_hex(struct tlog *t, uint32_t v)
{
	int i;

	put(t, '0');
	put(t, 'x');
	for (i = 28; i >= 0; i -= 4)
		put(t, "0123456789abcdef"[(v >> i) & 0xFu]);
}

void tlog_dec(struct tlog *t, uint32_t v)
{
	char d[10];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v);
	while (n)
		put(t, d[--n]);
}
