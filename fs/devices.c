/*
 * The simple character devices: null, zero, full, random and urandom (the
 * ChaCha20 CSPRNG of core/random.c; both never block once seeded at boot), and
 * the console (also as tty). Each registers itself; fs_init makes their nodes in /dev.
 */
#include <kite/errno.h>
#include <kite/file.h>
#include <kite/init.h>
#include <kite/printk.h>
#include <kite/random.h>
#include <kite/sched.h>
#include <kite/clock.h>
#include <string.h>

static ssize_t read_eof(struct file *f __unused, void *buf __unused, size_t len __unused, uint64_t *pos __unused)
{
	return 0;
}

static ssize_t read_zeros(struct file *f __unused, void *buf, size_t len, uint64_t *pos __unused)
{
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t write_sink(struct file *f __unused, const void *buf __unused, size_t len, uint64_t *pos __unused)
{
	return (ssize_t)len;
}

static ssize_t write_full(struct file *f __unused, const void *buf __unused, size_t len __unused,
			  uint64_t *pos __unused)
{
	return -ENOSPC;
}

static ssize_t read_random(struct file *f __unused, void *buf, size_t len, uint64_t *pos __unused)
{
	random_bytes(buf, len);
	return (ssize_t)len;
}

/* Writing to /dev/random mixes the data in, as on Linux (without crediting it). */
static ssize_t write_random(struct file *f __unused, const void *buf, size_t len, uint64_t *pos __unused)
{
	random_add_entropy(buf, len < 256 ? len : 256);
	return (ssize_t)len;
}

static const struct file_ops random_ops = { .read = read_random, .write = write_random };

static const struct file_ops null_ops = { .read = read_eof, .write = write_sink, .seekable = true };
static const struct file_ops zero_ops = { .read = read_zeros, .write = write_sink, .seekable = true };
static const struct file_ops full_ops = { .read = read_zeros, .write = write_full, .seekable = true };

/* The console: output to every console, input from the typed-ahead buffer
 * (the input interrupt wakes a waiting reader). */
static ssize_t console_file_read(struct file *f, void *buf, size_t len, uint64_t *pos __unused)
{
	size_t n = console_read(buf, len, !(f->flags & O_NONBLOCK));
	return n || !len ? (ssize_t)n : -EAGAIN;
}

static ssize_t console_file_write(struct file *f __unused, const void *buf, size_t len, uint64_t *pos __unused)
{
	console_write(buf, len);
	return (ssize_t)len;
}

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413

static int console_ioctl(struct file *f __unused, unsigned long request, void *arg)
{
	switch (request) {
	case TIOCGWINSZ: {
		uint16_t *ws = arg; /* rows, columns, x pixels, y pixels */
		ws[0] = 24;
		ws[1] = 80;
		ws[2] = ws[3] = 0;
		return 0;
	}
	case TCGETS:
		/* struct termios (60 bytes): a cooked terminal's defaults. */
		memset(arg, 0, 60);
		((uint32_t *)arg)[0] = 0x0500;	/* c_iflag: ICRNL | IXON */
		((uint32_t *)arg)[1] = 0x0005;	/* c_oflag: OPOST | ONLCR */
		((uint32_t *)arg)[2] = 0x00bf;	/* c_cflag: B38400 | CS8 | CREAD */
		((uint32_t *)arg)[3] = 0x8a3b;	/* c_lflag: ISIG | ICANON | ECHO... */
		return 0;
	}
	return -ENOTTY;
}

static const struct file_ops console_ops = {
	.read = console_file_read,
	.write = console_file_write,
	.ioctl = console_ioctl,
};

static const struct device simple_devices[] = {
	{ .name = "null", .major = 1, .minor = 3, .mode = 0666, .ops = &null_ops },
	{ .name = "zero", .major = 1, .minor = 5, .mode = 0666, .ops = &zero_ops },
	{ .name = "full", .major = 1, .minor = 7, .mode = 0666, .ops = &full_ops },
	{ .name = "random", .major = 1, .minor = 8, .mode = 0666, .ops = &random_ops },
	{ .name = "urandom", .major = 1, .minor = 9, .mode = 0666, .ops = &random_ops },
	{ .name = "tty", .major = 5, .minor = 0, .mode = 0666, .ops = &console_ops },
	{ .name = "console", .major = 5, .minor = 1, .mode = 0600, .ops = &console_ops },
};

static int simple_devices_init(void)
{
	for (size_t i = 0; i < sizeof(simple_devices) / sizeof(simple_devices[0]); i++)
		device_register(&simple_devices[i]);
	return 0;
}
INITCALL(platform, simple_devices_init);
