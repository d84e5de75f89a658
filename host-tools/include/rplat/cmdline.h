/* Kernel command lines (/proc/cmdline, run.json system.cmdline) split and searched as Linux splits them.
 *
 * The rules are those of Linux 6.12's next_arg() (lib/cmdline.c) and parse_args() (kernel/params.c):
 *   - parameters are separated by runs of white space (the kernel's isspace(): space, \t \n \v \f \r and
 *     the Latin-1 hard space 0xa0), except inside double quotes;
 *   - a parameter is NAME or NAME=VALUE, split at its first '=' (one in the first position does not count);
 *   - a value that starts with '"' loses it, and the parameter's last character too if that is a '"'
 *     (foo="a b" is foo = a b); a parameter that starts with '"' loses it and a closing '"' likewise;
 *     quotes anywhere else stay;
 *   - a bare "--" ends the kernel's parameters: what follows is init's;
 *   - names compare whole, with '-' and '_' alike (parameq()): isolcpus is not isolcpus_x, nohz-full is
 *     nohz_full.
 * Given twice, a parameter's handler runs twice, so which occurrence counts is the handler's affair: the
 * caller says which (see rplat_cmdline_find). Nothing here allocates or writes to the command line. */
#ifndef RPLAT_CMDLINE_H
#define RPLAT_CMDLINE_H

#include <stddef.h>

/* One parameter: pointers into the command line, not NUL-terminated. */
struct rplat_cmdline_param {
	const char *name;
	size_t name_len;
	const char *val; /* NULL: no '=' (a bare flag) */
	size_t val_len;
};

/* Which occurrence of a parameter given more than once counts. */
enum rplat_cmdline_pick {
	RPLAT_CMDLINE_FIRST, /* e.g. isolcpus=, nohz_full=: the kernel refuses a later, different CPU list */
	RPLAT_CMDLINE_LAST,  /* e.g. irqaffinity=, rcu_nocbs=, preempt=: each one replaces the one before */
};

/**
 * rplat_cmdline_next - split off the next parameter of a command line
 * @args: where to look (the command line, then what the previous call returned)
 * @p: filled with the parameter
 *
 * Returns where the search for the one after goes on, or NULL (@p untouched) when there is none: at the
 * end of the string, or at a bare "--".
 */
const char *rplat_cmdline_next(const char *args, struct rplat_cmdline_param *p);

/**
 * rplat_cmdline_find - look a parameter up in a command line
 * @cmdline: the command line (NUL-terminated)
 * @key: the parameter's name, without '='
 * @pick: which occurrence to return when it is given more than once
 * @p: filled with that occurrence, if any (may be NULL)
 *
 * Returns how many times @key is given before any "--" (0: not at all).
 */
size_t rplat_cmdline_find(const char *cmdline, const char *key, enum rplat_cmdline_pick pick,
			  struct rplat_cmdline_param *p);

/**
 * rplat_cmdline_value - a parameter's value as a string
 * @p: the parameter
 * @buf, @size: where to put it ("" for a bare flag); @size > 0
 *
 * Returns 0, or -1 with errno ENOSPC when it did not fit (@buf then holds what did).
 */
int rplat_cmdline_value(const struct rplat_cmdline_param *p, char *buf, size_t size);

#endif
