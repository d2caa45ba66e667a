/* Built as Debian builds its packages, with _FORTIFY_SOURCE: printf, sprintf,
 * snprintf, memcpy and strcpy become glibc's checked __*_chk variants. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char buf[64], copy[64];
	snprintf(buf, sizeof(buf), "%s has %d argument%s", argv[0], argc - 1, argc == 2 ? "" : "s");
	strcpy(copy, buf);
	memcpy(buf, copy, strlen(copy) + 1);
	sprintf(copy, "[%s]", "fortified");
	printf("%s %s\n", copy, buf);
	printf("%d%%\n", 100);
	return 0;
}
