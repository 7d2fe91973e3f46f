/*
 * clockwork — one memory call between two readings of the wall clock, so a
 * test can check the UTC time maptrail gives the call against the program's
 * own (tests/e2e/wallclock.sh).
 *
 * Output (stdout, one line):
 *
 *	pid=1234 before=1796659437346765821 after=1796659437346776436 addr=0x7f... len=28672
 *
 * before and after are CLOCK_REALTIME in ns since 1970, read right before and
 * right after an mmap(NULL, len, PROT_READ|PROT_WRITE|PROT_EXEC, private
 * anonymous) made through raw syscall(2), so that nothing but the call sits
 * between them.  len is 7 pages: a length nothing else in the process maps.
 * With an argument N it first sleeps N ms (the recording then has a start
 * sample well before the call).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long realtime_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long len = 7 * sysconf(_SC_PAGESIZE);
	long long before, after;
	long ret;

	if (argc > 1)
		usleep(atoi(argv[1]) * 1000);
	before = realtime_ns();
	ret = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	after = realtime_ns();
	if (ret == -1) {
		perror("mmap");
		return 1;
	}
	printf("pid=%d before=%lld after=%lld addr=0x%lx len=%ld\n", (int)getpid(), before, after,
	       (unsigned long)ret, len);
	return 0;
}
