#!/bin/sh
# benign — ordinary work, the counterpart of injector: what a developer's or
# an administrator's shell does all day.  Recorded by tests/e2e/detections.sh,
# whose capture of it must hold no high-severity finding.
#
#   tests/workload/benign.sh
#
# Compiles and runs a small C program (cc: the driver, cc1, as, collect2 and
# ld, each a process mapping its libraries), runs a shell pipeline, and a
# python3 one-liner that imports a few modules and works on data.  Prints one
# line per part; exits non-zero if a part fails.
#
# None of it makes memory writable and executable: CPython 3.11 has no JIT,
# and no part uses ctypes callbacks (libffi's trampolines are the usual
# source of W+X memory in a Python process).  A workload with a JIT (a
# JavaScript engine, a JVM, PCRE2 with its JIT) does make W+X or W->X memory
# on purpose and is not "benign" in the sense of this test.
set -eu

work=$(mktemp -d "${TMPDIR:-/tmp}/benign.XXXXXX")
trap 'rm -rf "$work"' EXIT

cat > "$work/hello.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	/* a few allocations, large enough that malloc maps them */
	size_t n = 4 << 20;
	char *big = malloc(n);
	unsigned long sum = 0;
	size_t i;

	if (!big)
		return 1;
	memset(big, 'x', n);
	for (i = 0; i < n; i += 4096)
		sum += (unsigned char)big[i];
	free(big);
	printf("hello: %lu\n", sum);
	return 0;
}
EOF
cc -O2 -o "$work/hello" "$work/hello.c"
"$work/hello"

# the shell's own work: a pipeline of coreutils
seq 1 20000 | awk '{ print $1 % 97 }' | sort -n | uniq -c | sort -rn | head -n 3 |
	wc -l | sed 's/^/pipeline: /'

python3 -c '
import json, hashlib, re, collections
words = re.findall(r"[a-z]+", open("/etc/services").read().lower())
top = collections.Counter(words).most_common(3)
print("python:", json.dumps(top), hashlib.sha256(" ".join(words).encode()).hexdigest()[:16])
'
