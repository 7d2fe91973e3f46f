/*
 * shmlib — the shared library `identity shm` copies to /dev/shm and dlopens
 * (tests/workload/identity.c): code that lives in a tmpfs file.
 */
int maptrail_shm_answer(void);

int maptrail_shm_answer(void)
{
	return 42;
}
