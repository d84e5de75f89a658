/* A temporary directory per cmocka suite, shared by the unit tests that write run directories.
 *
 *   static char top[256];
 *   static int setup(void **state) { (void)state; return suite_tmpdir_make(top, sizeof(top), "merge"); }
 *   static int teardown(void **state) { (void)state; return suite_tmpdir_remove(top); }
 *
 * The directory is $TMPDIR/rplat-test-NAME-XXXXXX (TMPDIR defaults to /tmp) and is removed with everything
 * in it. Header only: each test binary is one source file. */
#ifndef RPLAT_SUITE_TMPDIR_H
#define RPLAT_SUITE_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
