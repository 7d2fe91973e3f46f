/*
 * flip — a JIT's or a loader's W^X flip, N times over (default 2000):
 *
 *	mmap 4 pages RW anonymous -> write -> mprotect RX -> mremap to 8 pages
 *	(MREMAP_MAYMOVE) -> munmap
 *
 * through raw syscall(2), as mapwork.  Prints `pid=P flips=N` and exits 0 when
 * every call succeeded.  tests/e2e/detections.sh records it: N calls of one
 * kind in one process must be one exec-after-write finding that counts N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 2000;
	long page = sysconf(_SC_PAGESIZE);

	for (long i = 0; i < n; i++) {
		long p = syscall(SYS_mmap, 0, 4 * page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long q;

		if (p == -1)
			return 1;
		*(volatile char *)p = (char)0xc3;	/* ret: code written, then run-ready */
		if (syscall(SYS_mprotect, p, 4 * page, PROT_READ | PROT_EXEC) != 0)
			return 1;
		q = syscall(SYS_mremap, p, 4 * page, 8 * page, MREMAP_MAYMOVE);
		if (q == -1 || syscall(SYS_munmap, q, 8 * page) != 0)
			return 1;
	}
	printf("pid=%d flips=%ld\n", getpid(), n);
	return 0;
}
