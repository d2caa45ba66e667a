/*
 * libFuzzer target for the ELF parser and the symbol lookup that trusts what
 * it checked: `make fuzz-elf FUZZ_SECONDS=600`. Any input must give 0 or -1
 * with a message, and never a crash, a leak or a read outside the input
 * (AddressSanitizer watches); a file that parses must then survive lookups
 * through its hash tables, version table and symbol table.
 */
#include <kite/elf.h>
#include <stdlib.h>
#include <string.h>
#include "../loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct object o = { .path = "fuzz" };
	char err[256] = "";
	/* A copy of just the input's size, so that ASan sees any read past it. */
	o.file = malloc(size ? size : 1);
	memcpy(o.file, data, size);
	o.size = size;
	if (elf_parse(o.file, size, &o.img, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();
	} else {
		static const char *const names[] = { "main", "printf", "_start", "environ", "", "x" };
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			struct symbol_name n;
			symbol_name_init(&n, names[i]);
			symbol_in(&o, &n, false);
			symbol_in(&o, &n, true);
		}
		symbol_containing(&o, o.img.entry);
	}
	free(o.file);
	return 0;
}
