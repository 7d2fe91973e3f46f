#!/bin/bash
# Installed like a Debian tool: `meson install --destdir` puts the binary, a man
# page for maptrail and for each of its commands (and maptrail-db(5)), the bash
# completion and the license where they belong; every page renders with
# man -l without a warning; the completion completes commands, options, canned
# query names and event names, the names coming from the installed binary.
#
#   tests/e2e/install.sh path/to/build/cli/maptrail
set -euo pipefail

maptrail=$(realpath "$1")
build=$(dirname "$(dirname "$maptrail")")
work=$(mktemp -d /tmp/maptrail-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in man bash; do
	command -v $tool > /dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
root=$work/root
# (not --no-rebuild: the man pages and the completion are no test's dependency, so built here)
meson install -C "$build" --destdir "$root" --quiet > "$work/install.log" 2>&1 ||
	fail "meson install: $(tail -5 "$work/install.log")"
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
(cd "$root" && find . -type f -o -type l | sort) > "$work/tree"
echo "installed under $prefix:"
sed "s|^\./|  /|" "$work/tree"

bin=$root$prefix/bin/maptrail
[ -x "$bin" ] || fail "no bin/maptrail"
"$bin" --version | grep -q '^maptrail ' || fail "the installed maptrail does not run"

# A page for maptrail, one for every command its --help lists, and the database's.
pages=(man1/maptrail.1 man5/maptrail-db.5)
for c in $("$bin" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p'); do
	pages+=("man1/maptrail-$c.1")
done
[ ${#pages[@]} -ge 7 ] || fail "maptrail --help lists too few commands: ${pages[*]}"
for p in "${pages[@]}"; do
	f=$(find "$root" -path "*/man/$p" | head -1)
	[ -n "$f" ] || fail "no man page $p"
	# --warnings: groff's own complaints; a clean page prints none
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" > "$work/page" 2> "$work/warn" ||
		fail "man -l $p failed: $(cat "$work/warn")"
	[ ! -s "$work/warn" ] || fail "man -l $p warns: $(head -3 "$work/warn")"
	name=$(basename "$p" | sed 's/\.[0-9]$//')
	grep -q "^NAME" "$work/page" && grep -q "^ *$name - " "$work/page" ||
		fail "$p has no NAME line for $name"
done
echo "ok: ${#pages[@]} man pages render without warnings"
# Every option of a command's --help is in its page.
for c in record analyze query report schema; do
	f=$(find "$root" -name "maptrail-$c.1")
	MANWIDTH=200 man -l "$f" 2> /dev/null > "$work/page"
	for o in $("$bin" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$o" "$work/page" || fail "maptrail-$c(1) does not describe $o"
	done
done
echo "ok: every option of every command's --help is in its page"

[ -f "$root$prefix/share/doc/maptrail/LICENSE" ] || fail "no LICENSE installed"
grep -q 'MIT License' "$root$prefix/share/doc/maptrail/LICENSE" || fail "LICENSE is not MIT"

# The completion, as bash-completion loads it.
comp=$(find "$root" -path '*/bash-completion/completions/maptrail' | head -1)
[ -n "$comp" ] || fail "no bash completion installed"
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || { echo "ok (completion not exercised: no bash-completion)"; exit 0; }
complete_words() {
	bash --norc -c '
		source "$1"; source "$2"; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_maptrail maptrail "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bc" "$comp" "$@"
}
export PATH=$root$prefix/bin:$PATH
want() {
	local w=$1; shift
	complete_words "$@" | grep -qx -- "$w" || fail "completing '$*' does not offer $w: $(complete_words "$@" | tr '\n' ' ')"
}
want query maptrail qu
want analyze maptrail an
want --format maptrail query x.db findings --for
want ecs maptrail query x.db findings --format e
want findings maptrail query x.db fin
want address-at maptrail query --describe address-a
want mprotect maptrail record -e mpro
want mmap,munmap maptrail record -e mmap,mun
want pkey_mprotect maptrail schema pkey
want tracepoint maptrail record --backend tr
want --append maptrail analyze x.dat --app
echo "ok: the completion offers commands, options, query names and event names"
