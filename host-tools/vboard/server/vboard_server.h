/* rplat-vboard-server: the ivshmem server and the remote of the virtual board. */
#ifndef RPLAT_VBOARD_SERVER_H
#define RPLAT_VBOARD_SERVER_H

#include <stddef.h>

/* Write the firmware ELF that the guest's remoteproc loads (see vboard_fw.c): the host probe's table, or
 * with 'echo' the example echo firmware's (with its rplat-ring carveout). Returns 0, or -1 with a message
 * in err. */
int rplat_vb_write_fw(const char *path, int echo, char *err, size_t errlen);

#endif
