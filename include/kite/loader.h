/* The dynamic loader (loader/): starting the program, and naming its code. */
#ifndef KITE_LOADER_H
#define KITE_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads argv[0] with its libraries and starts it in a thread of its own;
 * -1 after a one-line error. */
int program_start(int argc, char **argv);

/* For crash reports: "FILE+0xOFFSET (SYMBOL+0xOFFSET)" for an address in the
 * program or its libraries; false for any other address. */
bool loader_describe(uintptr_t addr, char *buf, size_t len);

/* For /proc/self/maps: the file of the program or library whose address range
 * holds addr, and addr's offset in that file; NULL for other addresses. */
const char *loader_path_at(uintptr_t addr, uint64_t *file_offset);

#endif
