/*
 * identity — the workloads of issue 13 (who did it, with what file), for
 * tests/e2e/identity.sh and the analyze side's checks.
 *
 *	identity memfd  MAPS_OUT   a fileless loader: memfd_create("maptrail-payload"),
 *	                           write a `ret`, mmap it PROT_READ|PROT_EXEC, call it
 *	identity shm LIB MAPS_OUT  copy the shared library LIB to /dev/shm and dlopen
 *	                           it from there (then remove the copy)
 *	identity victim MAPS_OUT   a process to attach to: writes its maps, prints
 *	                           "ready", then waits for SIGTERM (or 60 s)
 *	identity threads N MAPS_OUT  victim with N extra threads (they wait too)
 *	identity maps MAPS_OUT     maps a file, an anonymous RW page, makes one RX,
 *	                           then writes its /proc/self/maps just before exit
 *	identity doublemap N MAPS_OUT  a JIT's W^X by double mapping (.NET's scheme):
 *	                           one memfd, each of its N pages mapped shared rw- and
 *	                           shared r-x, code written through the first and run
 *	                           through the second; every other rw- view unmapped
 *
 * Every mode prints one line per thing it made, flushed:
 *
 *	pid=1234
 *	memfd addr=0x7f.. len=4096 fd=3 path=/memfd:maptrail-payload (deleted)
 *	shm addr=0x7f.. path=/dev/shm/maptrail-shm-1234.so
 *	doublemap n=2000 fd=3 path=/memfd:maptrail-doublemap (deleted)
 *	thread tid=1240
 *	ready
 *
 * and writes /proc/self/maps, byte for byte, to MAPS_OUT (for memfd and shm
 * after the mapping, while it is still mapped).  It stays a moment (0.3 s)
 * after each mapping, so a recorder that looks at /proc behind the calls can
 * still see it: that is what a real loader that keeps running gives it too.
 */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("identity: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void pause_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

static void write_maps(const char *out)
{
	char buf[65536];
	int in = open("/proc/self/maps", O_RDONLY), o;
	ssize_t n;

	if (in < 0)
		die("/proc/self/maps: %s", strerror(errno));
	o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (o < 0)
		die("%s: %s", out, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(o, buf, n) != n)
			die("%s: %s", out, strerror(errno));
	close(in);
	close(o);
}

/*
 * After a mode's line: it stays a moment, so that a recorder looking at /proc
 * behind the calls still finds the mapping, then writes its maps to @out.
 */
static void stay_and_write_maps(const char *out)
{
	fflush(stdout);
	pause_ms(300);
	write_maps(out);
}

/* What /proc/self/fd shows for @fd ("/memfd:NAME (deleted)"), into @path. */
static void fd_path(int fd, char *path, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, size - 1);
	path[n > 0 ? n : 0] = '\0';
}

static int memfd_mode(const char *out)
{
	static const unsigned char code[] = { 0xc3 };	/* ret */
	char path[4096];
	void (*fn)(void);
	void *p;
	int fd = syscall(SYS_memfd_create, "maptrail-payload", 0);

	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	if (ftruncate(fd, 4096) || pwrite(fd, code, sizeof(code), 0) != sizeof(code))
		die("writing the memfd: %s", strerror(errno));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap of the memfd: %s", strerror(errno));
	fn = (void (*)(void))p;
	fn();
	fd_path(fd, path, sizeof(path));
	printf("memfd addr=%p len=4096 fd=%d path=%s\n", p, fd, path);
	stay_and_write_maps(out);
	return 0;
}

static int shm_mode(const char *lib, const char *out)
{
	char path[256];
	struct stat st;
	struct link_map *map;
	int in, o;
	void *h;

	snprintf(path, sizeof(path), "/dev/shm/maptrail-shm-%d.so", (int)getpid());
	in = open(lib, O_RDONLY);
	if (in < 0 || fstat(in, &st))
		die("%s: %s", lib, strerror(errno));
	o = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (o < 0 || sendfile(o, in, NULL, st.st_size) != st.st_size)
		die("%s: %s", path, strerror(errno));
	close(in);
	close(o);
	h = dlopen(path, RTLD_NOW);
	if (!h)
		die("dlopen %s: %s", path, dlerror());
	if (dlinfo(h, RTLD_DI_LINKMAP, &map))
		die("dlinfo: %s", dlerror());
	printf("shm addr=0x%lx path=%s\n", (unsigned long)map->l_addr, path);
	stay_and_write_maps(out);
	unlink(path);
	return 0;
}

static volatile sig_atomic_t done;

static void on_term(int sig)
{
	(void)sig;
	done = 1;
}

static void *waiter(void *arg)
{
	(void)arg;
	printf("thread tid=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	while (!done)
		pause_ms(20);
	return NULL;
}

static int victim_mode(int threads, const char *out)
{
	pthread_t t[64];
	struct sigaction sa = { .sa_handler = on_term };

	sigaction(SIGTERM, &sa, NULL);
	if (threads > 64)
		threads = 64;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, waiter, NULL))
			die("pthread_create failed");
	/* the threads' stacks are mapped now: the maps written are what an attach sees */
	pause_ms(100);
	write_maps(out);
	printf("ready\n");
	fflush(stdout);
	for (int i = 0; i < 3000 && !done; i++)
		pause_ms(20);
	done = 1;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int maps_mode(const char *out)
{
	char tmp[] = "/tmp/maptrail-identity-XXXXXX";
	int fd = mkstemp(tmp);
	void *f, *a;

	if (fd < 0 || ftruncate(fd, 8192))
		die("%s: %s", tmp, strerror(errno));
	f = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	a = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f == MAP_FAILED || a == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (mprotect(a, 4096, PROT_READ | PROT_EXEC))
		die("mprotect: %s", strerror(errno));
	close(fd);
	unlink(tmp);
	printf("file addr=%p path=%s (deleted)\n", f, tmp);
	stay_and_write_maps(out);
	return 0;
}

static int doublemap_mode(int n, const char *out)
{
	static const unsigned char code[] = { 0xc3 };	/* ret */
	char path[4096];
	int fd;

	if (n < 1)
		die("doublemap: %d pages", n);
	fd = syscall(SYS_memfd_create, "maptrail-doublemap", 0);
	if (fd < 0 || ftruncate(fd, (off_t)n * 4096))
		die("memfd_create: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		void *rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)i * 4096);
		void *rx = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, (off_t)i * 4096);

		if (rw == MAP_FAILED || rx == MAP_FAILED)
			die("mmap of page %d: %s", i, strerror(errno));
		memcpy(rw, code, sizeof(code));
		((void (*)(void))rx)();
		if (i % 2 && munmap(rw, 4096))
			die("munmap: %s", strerror(errno));
	}
	fd_path(fd, path, sizeof(path));
	printf("doublemap n=%d fd=%d path=%s\n", n, fd, path);
	stay_and_write_maps(out);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3)
		die("usage: identity memfd|shm LIB|victim|threads N|maps|doublemap N MAPS_OUT");
	printf("pid=%d\n", (int)getpid());
	if (!strcmp(argv[1], "memfd"))
		return memfd_mode(argv[2]);
	if (!strcmp(argv[1], "shm") && argc > 3)
		return shm_mode(argv[2], argv[3]);
	if (!strcmp(argv[1], "victim"))
		return victim_mode(0, argv[2]);
	if (!strcmp(argv[1], "threads") && argc > 3)
		return victim_mode(atoi(argv[2]), argv[3]);
	if (!strcmp(argv[1], "maps"))
		return maps_mode(argv[2]);
	if (!strcmp(argv[1], "doublemap") && argc > 3)
		return doublemap_mode(atoi(argv[2]), argv[3]);
	die("unknown mode %s", argv[1]);
}
