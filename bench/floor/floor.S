/*
 * bench/floor/floor.S - the "floor" guest of bench/boot.sh.
 *
 * A multiboot (v1) kernel whose first instruction asks QEMU to exit through
 * the isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=0x04).
 * Booting it measures everything that is not a guest kernel: QEMU start-up,
 * the firmware (SeaBIOS), option ROMs and QEMU's multiboot loader.
 *
 * QEMU's -kernel multiboot loader refuses 64-bit ELF files, so this is a
 * 32-bit ELF: `as --32` and `ld -m elf_i386 -n` (see bench/lib.sh). Plain GAS
 * syntax (no C preprocessor), so no 32-bit gcc support is needed.
 *
 * QEMU exits with status (value << 1) | 1. The floor writes 0x2a, giving
 * status 85, which cannot be confused with QEMU's own error status (1) or with
 * a triple fault under -no-reboot (0).
 *
 * Assembled with `--defsym KITE_STANDIN=1`, the same file instead becomes a
 * stand-in for Kite, used to test the benchmark scripts while build/kite.elf
 * does not exist: it prints a line starting with "Kite " on COM1 and exits
 * with value 0 (QEMU status 1), as the real kernel does.
 */

        .equ MB_MAGIC, 0x1BADB002
        .equ MB_FLAGS, 0            /* no requests: no alignment, no memory map */
        .equ DEBUG_EXIT_PORT, 0xf4
        .equ COM1, 0x3f8            /* QEMU's UART needs no set-up to transmit */

/*
 * The header must be 4-byte aligned within the first 8 KiB of the file. It is
 * kept at the start of .text, the only section, and the link uses `ld -n` (no
 * page alignment), so it lands at file offset 0x54.
 */
        .text
        .code32
        .balign 4
multiboot_header:
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .globl _start
_start:
.ifndef KITE_STANDIN
        movb $0x2a, %al
        outb %al, $DEBUG_EXIT_PORT  /* QEMU exits here, status 85 */
.else
        movl $banner, %esi
        movw $COM1, %dx
1:      lodsb
        testb %al, %al
        jz 2f
        outb %al, %dx
        jmp 1b
2:      movb $0, %al
        outb %al, $DEBUG_EXIT_PORT  /* QEMU exits here, status 1 */
.endif
3:      cli                         /* reached only without isa-debug-exit */
        hlt
        jmp 3b

.ifdef KITE_STANDIN
banner: .asciz "Kite stand-in (bench/floor/floor.S, not the real kernel)\r\n"
.endif
