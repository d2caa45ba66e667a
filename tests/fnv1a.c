/* Prints the 64-bit FNV-1a hash of each file named, as "HASH NAME": the same
 * hash as Kite's --selftest=tree lists, for tests/archive-test.sh. */
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		uint64_t h = 0xcbf29ce484222325ULL;
		int c;
		while ((c = getc(f)) != EOF)
			h = (h ^ (uint8_t)c) * 0x100000001b3ULL;
		fclose(f);
		printf("%016llx %s\n", (unsigned long long)h, argv[i]);
	}
	return 0;
}
