/* virtio split-ring layout (virtio 1.x, legacy layout as used by remoteproc). Little-endian. */
#ifndef RPLAT_WIRE_VIRTIO_RING_H
#define RPLAT_WIRE_VIRTIO_RING_H

#include <stddef.h>
#include <stdint.h>

#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_DESC_F_INDIRECT 4u

#define VRING_AVAIL_F_NO_INTERRUPT 1u
#define VRING_USED_F_NO_NOTIFY 1u

struct vring_desc {
	uint64_t addr; /* device address (da) of the buffer */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc");
_Static_assert(sizeof(struct vring_used_elem) == 8, "vring_used_elem");

/* Bytes occupied by a vring of 'num' entries whose used ring is aligned to 'align' (a power of two). */
static inline size_t vring_size(unsigned int num, unsigned long align)
{
	size_t sz = 16u * num + 2u * (3u + num);
	sz = (sz + align - 1) & ~(align - 1);
	return sz + 2u * 3u + 8u * num;
}

/* Offsets of the three parts of a vring from its base. */
static inline size_t vring_avail_off(unsigned int num)
{
	return 16u * num;
}

static inline size_t vring_used_off(unsigned int num, unsigned long align)
{
	size_t sz = 16u * num + 2u * (3u + num);
	return (sz + align - 1) & ~(align - 1);
}

#endif
