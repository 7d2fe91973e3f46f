# bash completion for maptrail(1): commands, options, canned query names and
# event names.  The names come from the maptrail being completed (query
# --list, schema --list), so they are always the ones it knows.
# SPDX-License-Identifier: MIT

_maptrail_queries()
{
	"$1" query --list --format csv 2> /dev/null | tail -n +2 | cut -d, -f1
}

_maptrail_events()
{
	"$1" schema --list 2> /dev/null
}

_maptrail()
{
	local cur prev words cword
	_init_completion -n = || return

	local prog=${words[0]} cmd="" i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W 'record analyze query report schema --help --version' -- "$cur"))
		return
	fi
	# after "record ... --" comes the command to trace: complete it as a command line
	if [[ $cmd == record ]]; then
		for ((i = 2; i < cword; i++)); do
			if [[ ${words[i]} == -- ]]; then
				_command_offset $((i + 1))
				return
			fi
		done
	fi

	local opts
	case $cmd in
	record)
		opts='--output --events --backend --pid --duration --buffer --force --plan --cleanup --quiet --help'
		case $prev in
		-o | --output) _filedir dat; return ;;
		-e | --events)
			local prefix="" word=$cur
			[[ $cur == *,* ]] && prefix=${cur%,*}, word=${cur##*,}
			COMPREPLY=($(compgen -P "$prefix" -W "$(_maptrail_events "$prog")" -- "$word"))
			compopt -o nospace 2> /dev/null
			return ;;
		--backend) COMPREPLY=($(compgen -W 'auto kprobe tracepoint' -- "$cur")); return ;;
		-p | --pid) _pids; return ;;
		--duration | -b | --buffer) return ;;
		esac ;;
	analyze)
		opts='--output --append --force --schema --baseline --fail-on --quiet --verbose --help'
		case $prev in
		-o | --output) _filedir db; return ;;
		--schema) _filedir sql; return ;;
		--baseline) _filedir; return ;;
		--fail-on) COMPREPLY=($(compgen -W 'high medium low info' -- "$cur")); return ;;
		esac ;;
	query)
		opts='--param --format --wide --list --verbose --describe --fail-on --timeout --help'
		case $prev in
		--fail-on) COMPREPLY=($(compgen -W 'high medium low info' -- "$cur")); return ;;
		-f | --format) COMPREPLY=($(compgen -W 'table csv json jsonl ecs' -- "$cur")); return ;;
		-d | --describe) COMPREPLY=($(compgen -W "$(_maptrail_queries "$prog")" -- "$cur")); return ;;
		-p | --param) compopt -o nospace 2> /dev/null; COMPREPLY=($(compgen -W 'pid= addr= ts= from_ts= limit= severity=' -- "$cur")); return ;;
		-T | --timeout) return ;;
		esac ;;
	report)
		opts='--output --format --force --fail-on --timeout --help'
		case $prev in
		--fail-on) COMPREPLY=($(compgen -W 'high medium low info' -- "$cur")); return ;;
		-o | --output) _filedir '@(html|htm|md|ndjson|jsonl)'; return ;;
		-f | --format) COMPREPLY=($(compgen -W 'text md html ecs' -- "$cur")); return ;;
		-T | --timeout) return ;;
		esac ;;
	schema)
		opts='--sql --list --format --schema --help'
		case $prev in
		-f | --format) COMPREPLY=($(compgen -W 'text table csv json jsonl' -- "$cur")); return ;;
		--schema) _filedir sql; return ;;
		esac ;;
	*) return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	# the positional arguments: a database, then a query name; a capture; an event
	local nargs=0
	for ((i = i + 1; i < cword; i++)); do
		case ${words[i]} in
		-o | --output | -e | --events | --backend | -p | --pid | --duration | -b | --buffer | \
		--schema | -f | --format | -d | --describe | --param | --baseline | --fail-on | -T | --timeout) ((i++)) ;;
		-*) ;;
		*) ((nargs++)) ;;
		esac
	done
	case $cmd in
	analyze) _filedir dat ;;
	report) _filedir db ;;
	schema) COMPREPLY=($(compgen -W "$(_maptrail_events "$prog")" -- "$cur")) ;;
	query)
		if ((nargs == 0)); then
			_filedir db
		else
			COMPREPLY=($(compgen -W "$(_maptrail_queries "$prog")" -- "$cur"))
		fi ;;
	esac
} &&
	complete -F _maptrail maptrail
