/*
 * The Linux guest's /init for network benchmarks (bench/http.sh): loads the
 * virtio-net driver's modules from /modules (in dependency order, as
 * modules.dep would give it), gives eth0 10.0.2.15/24 and brings it and lo
 * up (QEMU's user network: the host is 10.0.2.2), then becomes the program
 * named by its arguments, with /proc and /tmp mounted.
 *
 *   netinit PROGRAM [ARGS...]     (the kernel's "--" arguments)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const modules[] = {
	"virtio_ring.ko", "virtio.ko", "virtio_pci_modern_dev.ko", "virtio_pci_legacy_dev.ko", "virtio_pci.ko",
	"failover.ko", "net_failover.ko", "virtio_net.ko",
};

static void fail(const char *what)
{
	printf("netinit: %s: %s\n", what, strerror(errno));
	fflush(stdout);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void set_address(int s, const char *ifname, unsigned long request, const char *address)
{
	struct ifreq ifr = { 0 };
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
	a->sin_family = AF_INET;
	inet_pton(AF_INET, address, &a->sin_addr);
	if (ioctl(s, request, &ifr))
		fail(ifname);
}

static void bring_up(int s, const char *ifname)
{
	struct ifreq ifr = { 0 };
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		fail(ifname);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		fail(ifname);
}

int main(int argc, char **argv)
{
	mkdir("/proc", 0555);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path), "/modules/%s", modules[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST))
			fail(path);
		close(fd);
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	bring_up(s, "lo");
	set_address(s, "eth0", SIOCSIFADDR, "10.0.2.15");
	set_address(s, "eth0", SIOCSIFNETMASK, "255.255.255.0");
	bring_up(s, "eth0");
	close(s);
	if (argc < 2) {
		errno = EINVAL;
		fail("no program to run");
	}
	execv(argv[1], argv + 1);
	fail(argv[1]);
}
