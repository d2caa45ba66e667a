/*
 * bench/linux-guest/init.c - the whole user space of the Linux guest used by
 * bench/boot.sh and bench/minmem.sh.
 *
 * Runs as /init from the initramfs (rdinit=/init), prints one line to the
 * console and powers the machine off, which makes QEMU exit with status 0.
 * Built static (gcc -static -O2) so the initramfs needs nothing else.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#define LINE "linux-guest: hello\n"

int main(void)
{
	int fd = 1;

	/*
	 * The kernel opens /dev/console as fds 0-2 before starting /init; the node
	 * comes from the kernel's built-in initramfs. If that ever fails (fd 1 not
	 * open), mount devtmpfs and open the console ourselves.
	 */
	if (fcntl(1, F_GETFD) < 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
		fd = open("/dev/console", O_WRONLY | O_NOCTTY);
	}
	if (fd >= 0)
		(void)!write(fd, LINE, strlen(LINE));

	sync();
	reboot(RB_POWER_OFF);
	/* Only reached if the power-off failed; returning would panic the kernel. */
	for (;;)
		pause();
}
