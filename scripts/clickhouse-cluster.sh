#!/bin/bash
# A local ClickHouse cluster for trying maptrail export and the fleet questions:
# N clickhouse-server processes (default 2) on 127.0.0.1, free ports, run as
# the calling user, every file under DIR.  No service, nothing system-wide.
#
#   scripts/clickhouse-cluster.sh start DIR [SHARDS]   # prints the shards' HTTP URLs
#   scripts/clickhouse-cluster.sh stop DIR             # stops them, by their pids
#
# Every server knows the cluster "fleet" (one replica per shard), so
#   maptrail export app.db --clickhouse URL1 --clickhouse URL2 --cluster fleet
# creates MergeTree tables on every shard and Distributed tables over them.
# DIR/urls holds the HTTP URLs, one a line, shard 1 first.
set -euo pipefail

usage() {
	echo "usage: $0 start DIR [SHARDS] | stop DIR" >&2
	exit 2
}
[ $# -ge 2 ] || usage
cmd=$1 dir=$2 shards=${3:-2}
server=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)

# A port nobody listens on now (the kernel's pick for a socket bound to 0).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}


stop() {
	local rc=0 pid
	for pidfile in "$dir"/shard*/pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
			for _ in $(seq 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			if kill -0 "$pid" 2>/dev/null; then
				echo "clickhouse-cluster: pid $pid did not stop on TERM: KILL" >&2
				kill -KILL "$pid" 2>/dev/null || true
				rc=1
			fi
		fi
		rm -f "$pidfile"
	done
	return $rc
}

case $cmd in
stop)
	stop
	exit $?
	;;
start) ;;
*) usage ;;
esac

[ -x "$server" ] || { echo "clickhouse-cluster: no clickhouse-server (scripts/install-deps.sh installs it)" >&2; exit 1; }
[ "$shards" -ge 1 ] 2>/dev/null || usage
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if ls "$dir"/shard*/pid > /dev/null 2>&1; then
	echo "clickhouse-cluster: $dir has servers running (stop them first)" >&2
	exit 1
fi

declare -a http tcp
for i in $(seq "$shards"); do
	http[$i]=$(free_port)
	tcp[$i]=$(free_port)
done
remote="<remote_servers><fleet>"
for i in $(seq "$shards"); do
	remote+="<shard><replica><host>127.0.0.1</host><port>${tcp[$i]}</port></replica></shard>"
done
remote+="</fleet></remote_servers>"

: > "$dir/urls"
trap 'stop' ERR
for i in $(seq "$shards"); do
	s="$dir/shard$i"
	mkdir -p "$s/data" "$s/tmp"
	# Small caches: a test machine, not a production one.
	cat > "$s/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
	<logger><level>warning</level><log>$s/server.log</log><errorlog>$s/error.log</errorlog><size>10M</size><count>1</count></logger>
	<listen_host>127.0.0.1</listen_host>
	<http_port>${http[$i]}</http_port>
	<tcp_port>${tcp[$i]}</tcp_port>
	<path>$s/data/</path>
	<tmp_path>$s/tmp/</tmp_path>
	<users_config>$s/users.xml</users_config>
	<default_profile>default</default_profile>
	<default_database>default</default_database>
	<mark_cache_size>67108864</mark_cache_size>
	<uncompressed_cache_size>67108864</uncompressed_cache_size>
	<max_concurrent_queries>32</max_concurrent_queries>
	<mlock_executable>false</mlock_executable>
	$remote
</yandex>
XML
	cat > "$s/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
	<profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
	<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
	<quotas><default></default></quotas>
</yandex>
XML
	"$server" --daemon --pid-file="$s/pid" --config-file="$s/config.xml" > "$s/stdout.log" 2>&1
	echo "http://127.0.0.1:${http[$i]}/" >> "$dir/urls"
done
# Ready when every HTTP port answers "Ok." to /ping.
for i in $(seq "$shards"); do
	for _ in $(seq 600); do
		[ "$(curl -s "http://127.0.0.1:${http[$i]}/ping" 2>/dev/null)" = "Ok." ] && break
		sleep 0.1
	done
	if [ "$(curl -s "http://127.0.0.1:${http[$i]}/ping" 2>/dev/null)" != "Ok." ]; then
		echo "clickhouse-cluster: shard $i did not answer on port ${http[$i]} in 60 s (see $dir/shard$i/error.log)" >&2
		stop
		exit 1
	fi
done
cat "$dir/urls"
