/* Hello: the first program. It exits with the number of its arguments (at most
 * 3), so that tests can see statuses other than 0 pass through. */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from %s, with %d argument%s!\n", argv[0], argc - 1, argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("  argv[%d] = \"%s\"\n", i, argv[i]);
	return argc - 1 > 3 ? 3 : argc - 1;
}
