#!/bin/bash
# Installs what maptrail needs on Debian 12 (as root):
#   scripts/install-deps.sh --run     to build, install and run it (what scripts/demo.sh needs)
#   scripts/install-deps.sh --test    that and what the test suite needs (the default)
# Skips apt entirely when everything is already there.
set -euo pipefail

run=(
	gcc libc6-dev meson ninja-build pkg-config
	libtracefs-dev libtraceevent-dev libtracecmd-dev libsqlite3-dev	# also their .a: maptrail-record
	libmd-dev zlib1g-dev libzstd-dev
	scdoc			# the man pages
	bash-completion		# where the completion goes (pkg-config completionsdir)
	sqlite3			# the shell: the database is plain SQLite (scripts/demo.sh uses it)
)
test=(
	libcmocka-dev		# unit tests
	libcurl4-openssl-dev	# export: the HTTP client to ClickHouse
	clickhouse-server clickhouse-client curl	# tests/fleet: a local two-shard cluster
	trace-cmd		# the independent reader the tests check against
	python3 time util-linux
	man-db groff-base	# tests/e2e/install.sh renders the installed man pages
	chromium fonts-dejavu-core	# tests/e2e/report.sh renders the HTML report headless, with text
	qemu-system-x86 busybox-static cpio	# tests/vm: the kprobe backend and maptrail-record in a VM
	gdb			# tests/e2e/identity.sh: a debugger injecting into a recorded process
	luajit nodejs default-jre-headless	# tests/e2e/jit-runtimes.sh: real JIT runtimes at work
	clang libclang-rt-14-dev	# tests/fuzz: clang 14 and its libFuzzer (scripts/test.sh, scripts/fuzz.sh)
)
case ${1:---test} in
--run) packages=("${run[@]}") ;;
--test) packages=("${run[@]}" "${test[@]}") ;;
*) echo "usage: scripts/install-deps.sh [--run | --test]" >&2; exit 2 ;;
esac
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
