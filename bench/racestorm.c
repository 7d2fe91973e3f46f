/*
 * racestorm — load generator for bench/detections.sh: what toctou-race looks
 * for, many times over.
 *
 *	racestorm --threads T --calls N
 *
 * One process maps 16 pages read-write; then T threads each make N mprotect
 * calls on them, page i % 16 at its i-th call, read-only at odd i and
 * read-write at even i, so that calls of two threads on one page follow each
 * other within microseconds (the pages stay mapped: none is mapped afresh in
 * between).  Calls go through syscall(2), as in mapstorm.  Prints one line,
 *
 *	pid=P threads=T calls=TOTAL failed=F seconds=S
 *
 * and exits 0 when every call succeeded.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "storm-procs.h"

enum { PAGES = 16, MAX_THREADS = 64 };

struct race {
	char *pages;
	long page_size;
	long calls;		/* per thread */
	long failed[MAX_THREADS];
};

struct racer {
	struct race *race;
	int index;
};

static void *run_racer(void *arg)
{
	struct racer *r = arg;
	struct race *race = r->race;

	for (long i = 0; i < race->calls; i++) {
		char *page = race->pages + (i % PAGES) * race->page_size;
		int prot = i & 1 ? PROT_READ : PROT_READ | PROT_WRITE;

		if (syscall(SYS_mprotect, page, race->page_size, prot) != 0)
			race->failed[r->index]++;
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: racestorm --threads T --calls N\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct race race = { .page_size = sysconf(_SC_PAGESIZE) };
	struct racer racers[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	struct timespec t0, t1;
	long nr_threads = 0, failed = 0;

	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "--threads"))
			nr_threads = storm_number("racestorm", "--threads", argv[i + 1]);
		else if (!strcmp(argv[i], "--calls"))
			race.calls = storm_number("racestorm", "--calls", argv[i + 1]);
		else
			usage();
	}
	if (!nr_threads || !race.calls)
		usage();
	if (nr_threads > MAX_THREADS) {
		fprintf(stderr, "racestorm: --threads: at most %d\n", MAX_THREADS);
		return 2;
	}
	race.pages = mmap(NULL, PAGES * race.page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (race.pages == MAP_FAILED) {
		perror("racestorm: mmap");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < nr_threads; i++) {
		racers[i] = (struct racer){ .race = &race, .index = (int)i };
		if (pthread_create(&threads[i], NULL, run_racer, &racers[i])) {
			fprintf(stderr, "racestorm: cannot start thread %ld\n", i);
			return 1;
		}
	}
	for (long i = 0; i < nr_threads; i++) {
		pthread_join(threads[i], NULL);
		failed += race.failed[i];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("pid=%d threads=%ld calls=%ld failed=%ld seconds=%.3f\n", (int)getpid(), nr_threads,
	       nr_threads * race.calls, failed,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return failed ? 1 : 0;
}
