/* ramfs: the in-memory file system that holds the root (see fs/ramfs.c). */
#ifndef KITE_RAMFS_H
#define KITE_RAMFS_H
#include <kite/vfs.h>

/* A new, empty ramfs (its root directory has mode S_IFDIR | 0755); NULL without memory. */
struct mount *ramfs_create(void);

/* Frees a ramfs that is not mounted and has nothing open. */
void ramfs_destroy(struct mount *m);

/* Bytes of file data the ramfs instances hold (for figures and tests). */
uint64_t ramfs_data_bytes(void);

#endif
