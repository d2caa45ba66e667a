/*
 * libFuzzer target for the ELF parser: `make fuzz-elf FUZZ_SECONDS=600`.
 * Any input must give 0 or -1 with a message, and never a crash, a leak or a
 * read outside the input (AddressSanitizer watches).
 */
#include <kite/elf.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char err[256] = "";
	if (elf_parse(data, size, &img, err, sizeof(err)) != 0 && !err[0])
		abort();
	return 0;
}
