/* A temporary directory per cmocka suite, shared by the unit tests that write run directories.
 *
 *   static char top[256];
 *   static int setup(void **state) { (void)state; return suite_tmpdir_make(top, sizeof(top), "merge"); }
 *   static int teardown(void **state) { (void)state; return suite_tmpdir_remove(top); }
 *
 * The directory is $TMPDIR/rplat-test-NAME-XXXXXX (TMPDIR defaults to /tmp) and is removed with everything
 * in it; suite_put_file() writes a fixture file in it. Header only: each test binary is one source file. */
#ifndef RPLAT_SUITE_TMPDIR_H
#define RPLAT_SUITE_TMPDIR_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static inline int suite_tmpdir_make(char *dir, size_t len, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%s/rplat-test-%s-XXXXXX", tmp ? tmp : "/tmp", name);
	return mkdtemp(dir) ? 0 : -1;
}

static inline int suite_tmpdir_remove(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write TEXT to DIR/REL, making REL's missing parent directories. Returns 0, or -1. */
static inline int suite_put_file(const char *dir, const char *rel, const char *text)
{
	char path[1024], *p;
	FILE *f;
	int bad;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path))
		return -1;
	for (p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -1;
	bad = fputs(text, f) < 0;
	return fclose(f) || bad ? -1 : 0;
}

#endif
