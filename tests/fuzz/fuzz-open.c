// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: trace-meta as the guard of libtracecmd.  Whatever
 * trace_meta_read() accepts, analyze hands to tracecmd_open() and then opens
 * each instance buffer's handle (analyze.c); libtracecmd 3.1 trusts the file
 * and crashes on what it cannot read, so any crash, sanitizer report or leak
 * of this harness inside libtracecmd is a check trace-meta lacks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <trace-cmd/trace-cmd.h>

#include "fuzz-input.h"
#include "trace-meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_path(data, size);
	struct trace_meta *meta = NULL;
	struct tracecmd_input *handle;
	char *reason = NULL;

	if (trace_meta_read(path, &meta, &reason) < 0) {
		free(reason);
		return 0;
	}
	/* as analyze_run() opens it */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	handle = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (handle) {
		tep_set_loglevel(TEP_LOG_NONE);
		for (int i = 0; i < tracecmd_buffer_instances(handle); i++) {
			struct tracecmd_input *h = tracecmd_buffer_instance_handle(handle, i);

			if (h)
				tracecmd_close(h);
		}
		tracecmd_close(handle);
	}
	trace_meta_free(meta);
	return 0;
}
