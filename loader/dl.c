/*
 * What the program may ask the dynamic linker about what is loaded:
 * dl_iterate_phdr (unwinders, sanitizers, the JVM walk the loaded objects
 * with it) and glibc's _dl_find_object (libgcc's unwinder finds the unwind
 * tables of a code address with it).
 */
#include <kite/format.h>
#include <kite/loader.h>
#include <kite/memlayout.h>
#include <kite/musl.h>
#include <string.h>
#include "loader.h"

struct program *loaded_program;

struct object *object_at(uint64_t addr)
{
	struct program *p = loaded_program;
	for (int i = 0; p && i < p->nr_objects; i++) {
		struct object *o = &p->objects[i];
		for (int k = 0; k < o->img.nr_segments; k++) {
			const struct elf_segment *s = &o->img.segments[k];
			if (addr >= o->base + s->vaddr && addr < o->base + s->vaddr + s->memsz)
				return o;
		}
	}
	return NULL;
}

const char *loader_path_at(uintptr_t addr, uint64_t *file_offset)
{
	struct program *p = loaded_program;
	for (int i = 0; p && i < p->nr_objects; i++) {
		const struct object *o = &p->objects[i];
		if (addr < o->base + o->img.span_start || addr >= o->base + o->img.span_end)
			continue;
		*file_offset = 0;
		for (int k = 0; k < o->img.nr_segments; k++) {
			const struct elf_segment *s = &o->img.segments[k];
			uint64_t start = o->base + PAGE_ALIGN_DOWN(s->vaddr);
			if (addr >= start && addr < o->base + PAGE_ALIGN_UP(s->vaddr + s->memsz))
				*file_offset = PAGE_ALIGN_DOWN(s->offset) + (addr - start);
		}
		return o->path;
	}
	return NULL;
}

/* The object's program headers where they are mapped (they normally lie in
 * its first segment), else in the copy of its file the loader keeps. */
static const void *program_headers(const struct object *o)
{
	if (o->img.phdr_vaddr)
		return (const void *)(o->base + o->img.phdr_vaddr);
	for (int k = 0; k < o->img.nr_segments; k++) {
		const struct elf_segment *s = &o->img.segments[k];
		if (o->img.phoff >= s->offset && o->img.phoff - s->offset < s->filesz)
			return (const void *)(o->base + s->vaddr + (o->img.phoff - s->offset));
	}
	return o->file + o->img.phoff;
}

/* glibc's <link.h>. */
struct dl_phdr_info {
	uint64_t dlpi_addr;
	const char *dlpi_name;
	const void *dlpi_phdr;
	uint16_t dlpi_phnum;
	unsigned long long dlpi_adds, dlpi_subs;
	size_t dlpi_tls_modid;
	void *dlpi_tls_data;
};

int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data)
{
	struct program *p = loaded_program;
	void *thread_pointer;
	__asm__("movq %%fs:0, %0" : "=r"(thread_pointer));
	for (int i = 0; p && i < p->nr_objects; i++) {
		const struct object *o = &p->objects[i];
		struct dl_phdr_info info = {
			.dlpi_addr = o->base,
			.dlpi_name = i == 0 ? "" : o->path, /* glibc names the program "" */
			.dlpi_phdr = program_headers(o),
			.dlpi_phnum = o->img.phnum,
			.dlpi_adds = (unsigned long long)p->nr_objects,
			.dlpi_tls_modid = (size_t)o->tls_module,
			.dlpi_tls_data = o->tls_module ? (char *)thread_pointer - o->tls_offset : NULL,
		};
		int ret = callback(&info, sizeof(info), data);
		if (ret)
			return ret;
	}
	return 0;
}

/* glibc 2.35's <dlfcn.h>. */
struct dl_find_object {
	unsigned long long dlfo_flags;
	void *dlfo_map_start, *dlfo_map_end;
	void *dlfo_link_map;
	void *dlfo_eh_frame;
	unsigned long long reserved[7];
};

int _dl_find_object(void *pc, struct dl_find_object *result)
{
	const struct object *o = object_at((uint64_t)pc);
	if (!o)
		return -1;
	memset(result, 0, sizeof(*result));
	result->dlfo_map_start = (void *)(o->base + o->img.span_start);
	result->dlfo_map_end = (void *)(o->base + o->img.span_end);
	result->dlfo_eh_frame = o->img.eh_frame_hdr_vaddr ? (void *)(o->base + o->img.eh_frame_hdr_vaddr) : NULL;
	return 0;
}

bool loader_describe(uintptr_t addr, char *buf, size_t len)
{
	const struct object *o = object_at(addr);
	if (!o)
		return false;
	uint64_t rel = addr - o->base;
	const struct sym *s = symbol_containing(o, rel);
	const char *name = s ? elf_string(&o->img, s->name) : NULL;
	if (name)
		ksnprintf(buf, len, "%s+0x%lx (%s+0x%lx)", o->path, rel, name, rel - s->value);
	else
		ksnprintf(buf, len, "%s+0x%lx", o->path, rel);
	return true;
}
