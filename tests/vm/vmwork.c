/*
 * vmwork — the workload of the VM test (tests/vm/run.sh).
 *
 * Built statically and run inside the VM under `maptrail record`, it makes a
 * fixed sequence of memory-mapping system calls and prints one line per call,
 * so that the test can require the capture's call tables to hold exactly these
 * calls.  Every call is a raw system call: through syscall(2) for the native
 * (x86_64) ABI, and through `int $0x80` for the i386 ABI, which a 64-bit
 * process may use too (CONFIG_IA32_EMULATION): the kernel then runs the
 * 32-bit entry points (__ia32_sys_*), which kprobes see and the syscall
 * tracepoints do not.
 *
 * Output (stdout, written with write(2) from a stack buffer, so that printing
 * never allocates and never adds a mapping call of its own):
 *
 *	pid=1234
 *	call=mprotect abi=native tid=1234 addr=0x7f... len=4096 prot=0x1 ret=0x0 errno=0
 *	call=mprotect abi=i386 tid=1234 addr=0x40000000 len=4096 prot=0x1 ret=0x0 errno=0
 *	file=openat tid=1234 fd=3 path=/tmp/vmwork-code.AbC123
 *	file=openat tid=1234 fd=6 path=/tmp/vmwork-code.AbC123 unread=1
 *
 * - Arguments are named as the schema names them (schema/10-events.sql: the
 *   columns of the call tables), in the schema's order.
 * - Addresses, prot and flags are hexadecimal with 0x; lengths, offsets and
 *   pgoff decimal; fd and pkey signed decimal.  All parse with int(s, 0).
 * - ret is the kernel's raw 64-bit return value ("0x%lx"; -EINVAL is
 *   0xffffffffffffffea), errno 0 or the positive errno of a failure.
 * - file= lines are the calls that name a file (openat, memfd_create): the
 *   descriptor made and the path (the memfd's name) exactly as passed, which
 *   a kprobe fetches as a string; the path has no blank.
 *
 * The sequence:
 *	mmap anonymous RW, mmap of a file MAP_SHARED
 *	mprotect RW -> R -> RX; mprotect at an unaligned address (EINVAL)
 *	mremap growing in place; mremap that must move (MREMAP_MAYMOVE);
 *	mremap MREMAP_MAYMOVE|MREMAP_FIXED onto a reserved address;
 *	mremap of an unmapped range (EFAULT)
 *	remap_file_pages on the shared file mapping
 *	pkey_mprotect with pkey -1
 *	mmap MAP_32BIT, then through int $0x80: mprotect (i386 number 125) of
 *	it, mmap2 (192) of one anonymous page and munmap (91) of that page
 *	openat of a file under /tmp, mmap of it PROT_READ|PROT_EXEC (a library
 *	loaded from a world-writable place); memfd_create, mmap of it
 *	PROT_READ|PROT_EXEC (a fileless loader): the kprobe capture names both
 *	by the strings the calls were given; openat of that file's path read
 *	from a page mapped but never touched (the kprobe reads nothing: the
 *	capture must not guess), mmap of it read-only
 *	munmap of everything mapped
 * Any unexpected result is reported on stderr and the exit status is 1.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workload.h"	/* tests/workload/ */

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

/* arch/x86/entry/syscalls/syscall_32.tbl */
#define I386_MUNMAP 91
#define I386_MPROTECT 125
#define I386_MMAP2 192

static long pg;

static void die(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "vmwork: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		_exit(1);
	_exit(1);
}

static void put(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		s += w;
		n -= w;
	}
}

/* int $0x80 returns the kernel's value itself: -4095..-1 is an error. */
static long i386ret(long r, int *err)
{
	*err = (unsigned long)r >= (unsigned long)-4095 ? (int)-r : 0;
	return r;
}

/*
 * The descriptor @call made, and the path it was given (see the header);
 * @unread: the path was in a page the process had never touched.
 */
static void emit_file(const char *call, long fd, const char *path, int unread)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "file=%s tid=%ld fd=%ld path=%s%s\n", call,
		     (long)syscall(SYS_gettid), fd, path, unread ? " unread=1" : "");
	put(line, n);
}

static void emit(const char *call, const char *abi, const char *args, long ret, int err)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line), "call=%s abi=%s tid=%ld %s ret=0x%lx errno=%d\n",
		     call, abi, (long)syscall(SYS_gettid), args, (unsigned long)ret, err);
	put(line, n);
}

static long do_mmap(unsigned long addr, unsigned long len, unsigned long prot,
		    unsigned long flags, long fd, unsigned long off, int *err)
{
	char a[256];
	long r = rawret(syscall(SYS_mmap, addr, len, prot, flags, fd, off), err);

	snprintf(a, sizeof(a), "addr=0x%lx len=%lu prot=0x%lx flags=0x%lx fd=%ld off=%lu",
		 addr, len, prot, flags, fd, off);
	emit("mmap", "native", a, r, *err);
	return r;
}

static long do_mprotect(unsigned long addr, unsigned long len, unsigned long prot, int *err)
{
	char a[256];
	long r = rawret(syscall(SYS_mprotect, addr, len, prot), err);

	snprintf(a, sizeof(a), "addr=0x%lx len=%lu prot=0x%lx", addr, len, prot);
	emit("mprotect", "native", a, r, *err);
	return r;
}

static long do_mremap(unsigned long old_address, unsigned long old_size,
		      unsigned long new_size, unsigned long flags,
		      unsigned long new_address, int *err)
{
	char a[256];
	long r = rawret(syscall(SYS_mremap, old_address, old_size, new_size, flags,
				new_address), err);

	snprintf(a, sizeof(a),
		 "old_address=0x%lx old_size=%lu new_size=%lu flags=0x%lx new_address=0x%lx",
		 old_address, old_size, new_size, flags, new_address);
	emit("mremap", "native", a, r, *err);
	return r;
}

static long do_munmap(unsigned long addr, unsigned long len, int *err)
{
	char a[128];
	long r = rawret(syscall(SYS_munmap, addr, len), err);

	snprintf(a, sizeof(a), "addr=0x%lx len=%lu", addr, len);
	emit("munmap", "native", a, r, *err);
	return r;
}

static long do_remap_file_pages(unsigned long addr, unsigned long size, unsigned long prot,
				unsigned long pgoff, unsigned long flags, int *err)
{
	char a[256];
	long r = rawret(syscall(SYS_remap_file_pages, addr, size, prot, pgoff, flags), err);

	snprintf(a, sizeof(a), "addr=0x%lx size=%lu prot=0x%lx pgoff=%lu flags=0x%lx",
		 addr, size, prot, pgoff, flags);
	emit("remap_file_pages", "native", a, r, *err);
	return r;
}

static long do_pkey_mprotect(unsigned long start, unsigned long len, unsigned long prot,
			     long pkey, int *err)
{
	char a[256];
	long r = rawret(syscall(SYS_pkey_mprotect, start, len, prot, pkey), err);

	snprintf(a, sizeof(a), "start=0x%lx len=%lu prot=0x%lx pkey=%ld", start, len, prot, pkey);
	emit("pkey_mprotect", "native", a, r, *err);
	return r;
}

/*
 * The i386 system call: number in eax, arguments in ebx, ecx, edx, esi, edi,
 * ebp.  From a 64-bit process int $0x80 clobbers r8-r11 (older kernels zero
 * them), so they are declared clobbered.
 */
static long int80_3(long nr, unsigned int b, unsigned int c, unsigned int d)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(b), "c"(c), "d"(d)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	return r;
}

/* mmap2 needs ebp (pgoffset): saved and zeroed around the call. */
static long int80_mmap2_pg0(unsigned int addr, unsigned int len, unsigned int prot,
			    unsigned int flags, int fd)
{
	long r;

	__asm__ volatile("push %%rbp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp"
			 : "=a"(r)
			 : "a"((long)I386_MMAP2), "b"(addr), "c"(len), "d"(prot), "S"(flags), "D"(fd)
			 : "r8", "r9", "r10", "r11", "memory", "cc");
	return r;
}

static long i386_mprotect(unsigned int addr, unsigned int len, unsigned int prot, int *err)
{
	char a[256];
	long r = i386ret(int80_3(I386_MPROTECT, addr, len, prot), err);

	snprintf(a, sizeof(a), "addr=0x%x len=%u prot=0x%x", addr, len, prot);
	emit("mprotect", "i386", a, r, *err);
	return r;
}

static long i386_mmap2(unsigned int addr, unsigned int length, unsigned int prot,
		       unsigned int flags, int fd, int *err)
{
	char a[256];
	long r = i386ret(int80_mmap2_pg0(addr, length, prot, flags, fd), err);

	snprintf(a, sizeof(a), "addr=0x%x length=%u prot=0x%x flags=0x%x fd=%d pgoffset=0",
		 addr, length, prot, flags, fd);
	emit("mmap2", "i386", a, r, *err);
	return r;
}

static long i386_munmap(unsigned int addr, unsigned int len, int *err)
{
	char a[128];
	long r = i386ret(int80_3(I386_MUNMAP, addr, len, 0), err);

	snprintf(a, sizeof(a), "addr=0x%x len=%u", addr, len);
	emit("munmap", "i386", a, r, *err);
	return r;
}

/*
 * A page of code in a file under /tmp, opened by a raw openat and mapped
 * r-x.  The path is on the stack, written just before: a kprobe cannot fault
 * a page in, so the string it fetches must be in memory already.
 */
static unsigned long map_code_file(char *code, long *cfd)
{
	unsigned char ret = 0xc3;
	int err, fd = mkstemp(code);

	if (fd < 0)
		die("cannot create %s: %s", code, strerror(errno));
	if (pwrite(fd, &ret, 1, 0) != 1 || ftruncate(fd, pg) < 0)
		die("%s: %s", code, strerror(errno));
	close(fd);
	*cfd = syscall(SYS_openat, AT_FDCWD, code, O_RDONLY | O_CLOEXEC);
	if (*cfd < 0)
		die("openat %s: %s", code, strerror(errno));
	emit_file("openat", *cfd, code, 0);
	return ok("mmap code file", do_mmap(0, pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, *cfd, 0,
		  &err), &err);
}

/* A memfd, named, sized and mapped r-x: what a fileless loader does. */
static unsigned long map_memfd(long *mfd)
{
	char name[] = "vmwork-jit";
	int err;

	*mfd = syscall(SYS_memfd_create, name, MFD_CLOEXEC);
	if (*mfd < 0)
		die("memfd_create: %s", strerror(errno));
	emit_file("memfd_create", *mfd, name, 0);
	if (ftruncate(*mfd, pg) < 0)
		die("ftruncate memfd: %s", strerror(errno));
	return ok("mmap memfd", do_mmap(0, pg, PROT_READ | PROT_EXEC, MAP_PRIVATE, *mfd, 0,
		  &err), &err);
}

/*
 * openat of @path read from a page the process mapped but never touched: a
 * kprobe cannot fault a page in, so its fetch reads nothing, while the
 * kernel's own read faults it in and opens the file.  The capture must say
 * it does not know the string, never guess it.  The file is then mapped
 * read-only, for /proc to name.
 */
static unsigned long map_by_untouched_path(const char *path, long *ufd, unsigned long *names)
{
	char tmp[] = "/tmp/vmwork-name.XXXXXX";
	size_t n = strlen(path) + 1;
	int err, fd = mkstemp(tmp);

	if (fd < 0 || pwrite(fd, path, n, 0) != (ssize_t)n)
		die("%s: %s", tmp, strerror(errno));
	*names = ok("mmap untouched name", do_mmap(0, pg, PROT_READ, MAP_PRIVATE, fd, 0, &err),
		    &err);
	close(fd);
	unlink(tmp);
	*ufd = syscall(SYS_openat, AT_FDCWD, (const char *)*names, O_RDONLY | O_CLOEXEC);
	if (*ufd < 0)
		die("openat of an untouched path: %s", strerror(errno));
	emit_file("openat", *ufd, path, 1);
	return ok("mmap by untouched path", do_mmap(0, pg, PROT_READ, MAP_PRIVATE, *ufd, 0, &err),
		  &err);
}

int main(void)
{
	unsigned long anon, file, wx, grow, mv, dst, moved, fixed, low, m2, code_map, memfd_map;
	unsigned long names_map, untouched_map;
	char path[] = "/tmp/vmwork.XXXXXX", code[] = "/tmp/vmwork-code.XXXXXX";
	char line[64];
	int err, fd, n;
	long r, cfd, mfd, ufd;

	pg = sysconf(_SC_PAGESIZE);
	n = snprintf(line, sizeof(line), "pid=%ld\n", (long)getpid());
	put(line, n);

	fd = mkstemp(path);
	if (fd < 0)
		die("cannot create %s: %s", path, strerror(errno));
	unlink(path);
	if (ftruncate(fd, 4 * pg) < 0)
		die("ftruncate: %s", strerror(errno));

	anon = ok("mmap anonymous", do_mmap(0, 4 * pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	file = ok("mmap file", do_mmap(0, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0,
		  &err), &err);
	memset((void *)file, 'v', pg);

	/* W -> X */
	wx = ok("mmap W->X", do_mmap(0, pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	*(volatile unsigned char *)wx = 0xc3;
	ok("mprotect R", do_mprotect(wx, pg, PROT_READ, &err), &err);
	ok("mprotect RX", do_mprotect(wx, pg, PROT_READ | PROT_EXEC, &err), &err);
	do_mprotect(anon + 1, pg, PROT_READ, &err);
	want_errno("unaligned mprotect", err, EINVAL);

	/* Grow in place: 8 pages reserved, the upper 4 given back, 4 -> 8. */
	grow = ok("mmap reserve", do_mmap(0, 8 * pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	ok("munmap upper half", do_munmap(grow + 4 * pg, 4 * pg, &err), &err);
	r = ok("mremap grow", do_mremap(grow, 4 * pg, 8 * pg, 0, 0, &err), &err);
	if ((unsigned long)r != grow)
		die("mremap grow in place returned 0x%lx, not 0x%lx", r, grow);

	/* Must move: the fifth page is in the way of 4 -> 8. */
	mv = ok("mmap 5 pages", do_mmap(0, 5 * pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0, &err), &err);
	moved = ok("mremap maymove", do_mremap(mv, 4 * pg, 8 * pg, MREMAP_MAYMOVE, 0, &err),
		   &err);
	if (moved == mv)
		die("mremap MAYMOVE did not move");

	/* FIXED onto a reserved target. */
	dst = ok("mmap target", do_mmap(0, 8 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0, &err), &err);
	fixed = ok("mremap fixed", do_mremap(moved, 8 * pg, 8 * pg,
		   MREMAP_MAYMOVE | MREMAP_FIXED, dst, &err), &err);
	if (fixed != dst)
		die("mremap FIXED returned 0x%lx, not 0x%lx", fixed, dst);
	do_mremap(moved, pg, 2 * pg, 0, 0, &err);
	want_errno("mremap of an unmapped range", err, EFAULT);

	ok("remap_file_pages", do_remap_file_pages(file, pg, 0, 1, 0, &err), &err);
	ok("pkey_mprotect", do_pkey_mprotect(anon, pg, PROT_READ, -1, &err), &err);

	/* The 32-bit entry, on mappings below 4 GiB. */
	low = ok("mmap MAP_32BIT", do_mmap(0, pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0, &err), &err);
	if (low >= (1UL << 32))
		die("MAP_32BIT mapping at 0x%lx, above 4 GiB", low);
	ok("i386 mprotect", i386_mprotect(low, pg, PROT_READ, &err), &err);
	m2 = ok("i386 mmap2", i386_mmap2(0, pg, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, &err), &err);
	if (m2 >= (1UL << 32))
		die("i386 mmap2 returned 0x%lx, above 4 GiB", m2);
	ok("i386 munmap", i386_munmap(m2, pg, &err), &err);

	code_map = map_code_file(code, &cfd);
	memfd_map = map_memfd(&mfd);
	untouched_map = map_by_untouched_path(code, &ufd, &names_map);
	/* Mapped a while, as a loader's code stays: the recorder's /proc look (a few ms) finds it. */
	usleep(300000);

	ok("munmap anon", do_munmap(anon, 4 * pg, &err), &err);
	ok("munmap file", do_munmap(file, 4 * pg, &err), &err);
	ok("munmap wx", do_munmap(wx, pg, &err), &err);
	ok("munmap grown", do_munmap(grow, 8 * pg, &err), &err);
	ok("munmap fifth page", do_munmap(mv + 4 * pg, pg, &err), &err);
	ok("munmap fixed", do_munmap(fixed, 8 * pg, &err), &err);
	ok("munmap low", do_munmap(low, pg, &err), &err);
	ok("munmap code file", do_munmap(code_map, pg, &err), &err);
	ok("munmap memfd", do_munmap(memfd_map, pg, &err), &err);
	ok("munmap untouched name", do_munmap(names_map, pg, &err), &err);
	ok("munmap by untouched path", do_munmap(untouched_map, pg, &err), &err);
	close(fd);
	close(cfd);
	close(mfd);
	close(ufd);
	unlink(code);
	return 0;
}
