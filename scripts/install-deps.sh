#!/bin/bash
# Installs what maptrail needs to build, run and test on Debian 12 (as root).
# Skips apt entirely when everything is already there.
set -euo pipefail

packages=(
	gcc meson ninja-build pkg-config
	libtracefs-dev libtraceevent-dev libtracecmd-dev libsqlite3-dev
	libmd-dev zlib1g-dev libzstd-dev
	libcmocka-dev		# unit tests
	trace-cmd		# the independent reader the tests check against
	sqlite3 python3 time util-linux
	chromium fonts-dejavu-core	# tests/e2e/report.sh renders the HTML report headless, with text
	qemu-system-x86 busybox-static cpio libc6-dev	# tests/vm: the kprobe backend in a VM
	gdb		# tests/e2e/identity.sh: a debugger injecting into a recorded process
)
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
