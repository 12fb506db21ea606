#!/usr/bin/env bash
# Starts, stops and describes the database servers that the integration tests
# use: PostgreSQL, MariaDB, and a three-node MariaDB Galera cluster. All listen
# on 127.0.0.1 only, on unusual ports, with their data in a throw-away
# directory, so they never meet a real installation.
#
#   eval "$(bash internal/testdb/databases.sh start)"   # install if needed, start, export DSNs
#   bash internal/testdb/databases.sh env               # print the export lines again
#   bash internal/testdb/databases.sh status [part]     # exit 0 when every server answers
#   bash internal/testdb/databases.sh stop [part]       # stop the servers and remove their data
#
# part is "servers" (PostgreSQL and MariaDB), "cluster" (Galera) or, when
# omitted, both. Only the export lines go to stdout; progress goes to stderr.
# Runs as root on Debian 12. The data is disposable: durability settings are
# relaxed for speed.
set -euo pipefail

# Keep stdout for the export lines alone; everything else goes to stderr.
exec 3>&1 1>&2

DIR="${CASEMINT_DB_DIR:-/tmp/casemint-db}"
PG_PORT=54329
MY_PORT=33069
PG_DIR="$DIR/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
PG_LOG="$PG_DIR/server.log"
MY_DIR="$DIR/mariadb"
MY_DATA="$MY_DIR/data"
MY_SOCK="$MY_DIR/mariadbd.sock"
MY_PID="$MY_DIR/mariadbd.pid"
MY_LOG="$MY_DIR/server.log"
# Galera node n (1 to 3) has its files in $GA_DIR/node$n and listens on
# GA_SQL+n for clients, GA_GROUP+n for the group, GA_IST+n and GA_SST+n for
# state transfers. The ports lie below Linux's ephemeral range (32768 and up),
# so that no outgoing connection can hold one before its node binds it.
GA_DIR="$DIR/galera"
GA_SQL=31060
GA_GROUP=31160
GA_IST=31260
GA_SST=31360
GA_PROVIDER=/usr/lib/galera/libgalera_smm.so
WAIT_SECONDS=60
# A joiner's state transfer takes about ten seconds on an idle machine and
# several times that on a busy one.
GA_WAIT_SECONDS=180

POSTGRES_DSN="postgres://casemint:casemint@127.0.0.1:$PG_PORT/casemint?sslmode=disable"
MYSQL_DSN="casemint:casemint@tcp(127.0.0.1:$MY_PORT)/casemint?parseTime=true&interpolateParams=true"
GALERA_DSNS=""
for n in 1 2 3; do
	GALERA_DSNS="$GALERA_DSNS${GALERA_DSNS:+,}casemint:casemint@tcp(127.0.0.1:$((GA_SQL + n)))/casemint?parseTime=true&interpolateParams=true"
done

log() { printf 'databases: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

print_env() {
	printf "export CASEMINT_POSTGRES_DSN='%s'\n" "$POSTGRES_DSN" >&3
	printf "export CASEMINT_MYSQL_DSN='%s'\n" "$MYSQL_DSN" >&3
	printf "export CASEMINT_GALERA_DSNS='%s'\n" "$GALERA_DSNS" >&3
}

pg_bin() {
	local d
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
	[ -n "$d" ] && [ -x "$d/initdb" ] || return 1
	printf '%s\n' "$d"
}

installed() {
	pg_bin >/dev/null && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null &&
		command -v mariadb >/dev/null && command -v mariadb-admin >/dev/null &&
		[ -f "$GA_PROVIDER" ] && command -v rsync >/dev/null
}

install_packages() {
	if installed; then
		return
	fi
	[ "$(id -u)" -eq 0 ] || die "installing packages needs root"
	log "installing postgresql, mariadb-server, galera-4 and rsync from Debian packages"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql mariadb-server galera-4 rsync
	installed || die "postgresql, mariadb-server, galera-4 or rsync files missing after install"
}

# --- PostgreSQL -------------------------------------------------------------

pg_running() {
	local bin
	bin="$(pg_bin)" || return 1
	[ -f "$PG_DATA/PG_VERSION" ] || return 1
	runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1 &&
		"$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

pg_init() {
	local bin="$1"
	log "initialising PostgreSQL in $PG_DATA"
	rm -rf "$PG_DIR"
	mkdir -p "$PG_DATA" "$PG_SOCK"
	chown -R postgres:postgres "$PG_DIR"
	chmod 0700 "$PG_DATA" "$PG_SOCK"
	# Local socket: trust (only root and postgres can reach the socket directory);
	# TCP on 127.0.0.1: password (SCRAM), as the tests connect.
	runuser -u postgres -- "$bin/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
	cat >>"$PG_DATA/postgresql.conf" <<CONF

# casemint test server
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
}

pg_start() {
	local bin="$1"
	# setsid: the server must outlive this script and the shell that ran it.
	# 3>&-: a server holding the caller's stdout would make $(...) wait forever.
	setsid -w runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_SECONDS" start </dev/null >/dev/null 2>&1 3>&-
}

pg_wait() {
	local bin="$1" i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 1; then
			return 0
		fi
		sleep 0.25
	done
	return 1
}

pg_setup() {
	local bin="$1"
	runuser -u postgres -- "$bin/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<'SQL'
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casemint') THEN
		CREATE ROLE casemint LOGIN PASSWORD 'casemint';
	END IF;
END
$$;
SELECT 'CREATE DATABASE casemint OWNER casemint'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'casemint')\gexec
SQL
}

start_postgres() {
	local bin
	bin="$(pg_bin)" || die "PostgreSQL binaries not found under /usr/lib/postgresql"
	if pg_running; then
		log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
	else
		if [ -f "$PG_DATA/PG_VERSION" ] && pg_start "$bin" && pg_wait "$bin"; then
			log "PostgreSQL restarted from existing data"
		else
			# No data, or data that no longer starts (a stale lock, a crash): start afresh.
			runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
			pg_init "$bin"
			log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
			if ! pg_start "$bin" || ! pg_wait "$bin"; then
				tail -n 30 "$PG_LOG" >&2 || true
				die "PostgreSQL did not start (log: $PG_LOG)"
			fi
		fi
	fi
	pg_setup "$bin" || die "creating the casemint role and database in PostgreSQL failed"
}

stop_postgres() {
	local bin
	bin="$(pg_bin)" || return 0
	if [ -f "$PG_DATA/PG_VERSION" ]; then
		log "stopping PostgreSQL"
		runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 ||
			runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
	fi
}

# --- MariaDB ----------------------------------------------------------------

# The settings that the single server and the Galera nodes share, as option
# names without their leading dashes.
MY_OPTS=(basedir=/usr bind-address=127.0.0.1 skip-name-resolve max-connections=300
	character-set-server=utf8mb4 collation-server=utf8mb4_general_ci
	innodb-flush-log-at-trx-commit=0 innodb-buffer-pool-size=128M)

# Every server is reached as root through its socket: my_admin SOCK ARGS...
my_admin() { mariadb-admin --no-defaults --protocol=socket --socket="$1" -u root "${@:2}"; }
my_sql() { mariadb --no-defaults --protocol=socket --socket="$1" -u root "${@:2}"; }

# my_pid PIDFILE prints the pid of the live mariadbd that wrote PIDFILE.
my_pid() {
	local pid
	[ -f "$1" ] || return 1
	pid="$(cat "$1" 2>/dev/null)"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || return 1
	printf '%s\n' "$pid"
}

# my_up SOCK PIDFILE: the server is alive and answers.
my_up() {
	my_pid "$2" >/dev/null && my_admin "$1" --connect-timeout=2 ping >/dev/null 2>&1
}

my_running() { my_up "$MY_SOCK" "$MY_PID"; }

# my_init DIR USER replaces DIR with a fresh directory, owned by USER, for a
# server that runs as USER: the system tables in DIR/data.
my_init() {
	log "initialising MariaDB in $1/data"
	rm -rf "$1"
	mkdir -p "$1/data"
	chown -R "$2:" "$1"
	mariadb-install-db --no-defaults --basedir=/usr --datadir="$1/data" --user="$2" \
		--auth-root-authentication-method=socket --skip-test-db >"$1/install-db.log" 2>&1 ||
		{ cat "$1/install-db.log" >&2; die "mariadb-install-db failed"; }
}

my_start() {
	# --no-defaults keeps the system's /etc/mysql settings (port 3306, its
	# socket and log paths) out of the way. setsid -f: the server outlives us;
	# 3>&-: it must not hold the caller's stdout, or $(...) never ends.
	setsid -f mariadbd --no-defaults "${MY_OPTS[@]/#/--}" --user=root --datadir="$MY_DATA" \
		--port="$MY_PORT" --socket="$MY_SOCK" --pid-file="$MY_PID" --log-error="$MY_LOG" \
		</dev/null >>"$MY_DIR/stdout.log" 2>&1 3>&-
}

my_wait() {
	local i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if my_running; then
			return 0
		fi
		sleep 0.25
	done
	return 1
}

# my_kill SOCK PIDFILE stops that server, killing it if it will not shut down.
my_kill() {
	local pid i
	pid="$(my_pid "$2")" || return 0
	my_admin "$1" shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 120; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.25
	done
	kill -9 "$pid" 2>/dev/null || true
}

# my_setup SOCK creates the casemint database and user.
my_setup() {
	# With skip-name-resolve a TCP client from 127.0.0.1 matches host '127.0.0.1'
	# and 'localhost' means the socket; anonymous users would shadow both.
	my_sql "$1" <<'SQL'
DROP USER IF EXISTS ''@'localhost';
CREATE DATABASE IF NOT EXISTS casemint;
CREATE USER IF NOT EXISTS 'casemint'@'127.0.0.1' IDENTIFIED BY 'casemint';
CREATE USER IF NOT EXISTS 'casemint'@'localhost' IDENTIFIED BY 'casemint';
GRANT ALL PRIVILEGES ON casemint.* TO 'casemint'@'127.0.0.1';
GRANT ALL PRIVILEGES ON casemint.* TO 'casemint'@'localhost';
SQL
}

start_mariadb() {
	if my_running; then
		log "MariaDB already running on 127.0.0.1:$MY_PORT"
	else
		if [ -d "$MY_DATA/mysql" ] && my_start && my_wait; then
			log "MariaDB restarted from existing data"
		else
			my_kill "$MY_SOCK" "$MY_PID"
			my_init "$MY_DIR" root
			log "starting MariaDB on 127.0.0.1:$MY_PORT"
			if ! my_start || ! my_wait; then
				tail -n 30 "$MY_LOG" >&2 || true
				die "MariaDB did not start (log: $MY_LOG)"
			fi
		fi
	fi
	my_setup "$MY_SOCK" || die "creating the casemint user and database in MariaDB failed"
}

stop_mariadb() {
	if my_pid "$MY_PID" >/dev/null; then
		log "stopping MariaDB"
		my_kill "$MY_SOCK" "$MY_PID"
	fi
}

# --- MariaDB Galera cluster ---------------------------------------------------
#
# Three nodes on 127.0.0.1 that all accept writes. Node 1 starts a new cluster;
# nodes 2 and 3 join it and receive its data by rsync. The cluster's data is as
# disposable as the single servers': a cluster in which no node serves is
# started afresh rather than recovered.

ga_dir() { printf '%s/node%d\n' "$GA_DIR" "$1"; }

# ga_state N prints node N's cluster size, cluster status and local state,
# "3 Primary Synced" when all is well, or fails when the node does not answer.
ga_state() {
	local d out
	d="$(ga_dir "$1")"
	my_pid "$d/mariadbd.pid" >/dev/null || return 1
	# SHOW STATUS answers even on a node outside the primary component.
	out="$(my_sql "$d/mariadbd.sock" --connect-timeout=2 -N -B -e "SHOW GLOBAL STATUS WHERE Variable_name IN
		('wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment')" 2>/dev/null)" || return 1
	printf '%s\n' "$out" | sort | awk '{ printf "%s%s", sep, $2; sep = " " } END { print "" }'
}

# ga_ready PATTERN N... reports whether the state of each node N matches
# PATTERN, such as "3 Primary Synced" or "* Primary Synced".
ga_ready() {
	local n
	for n in "${@:2}"; do
		# shellcheck disable=SC2254 # PATTERN is a pattern
		case "$(ga_state "$n")" in $1) ;; *) return 1 ;; esac
	done
}

ga_wait() {
	local end=$((SECONDS + GA_WAIT_SECONDS))
	while ((SECONDS < end)); do
		if ga_ready "$@"; then
			return 0
		fi
		sleep 0.25
	done
	return 1
}

# ga_init N replaces node N's directory with a fresh one: node 1 gets the
# system tables, the others receive everything from the cluster when they join.
# The nodes run as mysql: the rsync daemon that receives a joiner's data would
# drop root for nobody, who cannot write there.
ga_init() {
	local d n addr=""
	d="$(ga_dir "$1")"
	if [ "$1" = 1 ]; then
		my_init "$d" mysql
	else
		rm -rf "$d"
		mkdir -p "$d/data"
		chown -R mysql: "$d"
	fi
	for n in 1 2 3; do
		addr="$addr${addr:+,}127.0.0.1:$((GA_GROUP + n))"
	done
	# A file rather than options: the state transfer scripts read it too.
	{
		printf '[mysqld]\n'
		printf '%s\n' "${MY_OPTS[@]}"
		cat <<CNF
user=mysql
datadir=$d/data
port=$((GA_SQL + $1))
socket=$d/mariadbd.sock
pid-file=$d/mariadbd.pid
log-error=$d/server.log
default-storage-engine=InnoDB
binlog-format=ROW
innodb-autoinc-lock-mode=2
wsrep-on=ON
wsrep-provider=$GA_PROVIDER
wsrep-cluster-name=casemint
wsrep-cluster-address=gcomm://$addr
wsrep-node-name=node$1
wsrep-node-address=127.0.0.1
wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$((GA_GROUP + $1));ist.recv_addr=127.0.0.1:$((GA_IST + $1))"
wsrep-sst-method=rsync
wsrep-sst-receive-address=127.0.0.1:$((GA_SST + $1))
CNF
	} >"$d/my.cnf"
}

# ga_start N [OPTION...] starts node N in the background, as my_start does.
ga_start() {
	local d
	d="$(ga_dir "$1")"
	setsid -f mariadbd --defaults-file="$d/my.cnf" "${@:2}" </dev/null >>"$d/stdout.log" 2>&1 3>&-
}

ga_kill() {
	local d
	d="$(ga_dir "$1")"
	my_kill "$d/mariadbd.sock" "$d/mariadbd.pid"
}

ga_fail() {
	local n
	for n in 1 2 3; do
		log "node $n: $(ga_state "$n" || echo 'not answering'); last lines of $(ga_dir "$n")/server.log:"
		tail -n 15 "$(ga_dir "$n")/server.log" >&2 || true
	done
	die "$*"
}

start_galera() {
	local n serving=false
	if ga_ready "3 Primary Synced" 1 2 3; then
		log "Galera cluster already running on 127.0.0.1:$((GA_SQL + 1))-$((GA_SQL + 3))"
	else
		for n in 1 2 3; do
			if ga_ready "* Primary Synced" "$n"; then
				serving=true
			fi
		done
		if [ "$serving" = true ]; then
			# Some node serves: the stopped ones join it.
			for n in 1 2 3; do
				if ! my_pid "$(ga_dir "$n")/mariadbd.pid" >/dev/null; then
					[ -f "$(ga_dir "$n")/my.cnf" ] || ga_init "$n"
					log "starting Galera node $n on 127.0.0.1:$((GA_SQL + n)), joining"
					ga_start "$n" || ga_fail "Galera node $n did not start"
				fi
			done
		else
			for n in 1 2 3; do
				ga_kill "$n"
			done
			rm -rf "$GA_DIR"
			ga_init 1
			log "starting Galera node 1 on 127.0.0.1:$((GA_SQL + 1)), a new cluster"
			ga_start 1 --wsrep-new-cluster && ga_wait "1 Primary Synced" 1 || ga_fail "Galera node 1 did not start"
			# Each joiner starts once the one before it is in the group:
			# joiners that arrive together unsettle it. They receive their
			# data in turn.
			for n in 2 3; do
				ga_init "$n"
				log "starting Galera node $n on 127.0.0.1:$((GA_SQL + n)), joining"
				ga_start "$n" && ga_wait "$n Primary *" 1 || ga_fail "Galera node $n did not join"
			done
		fi
		ga_wait "3 Primary Synced" 1 2 3 || ga_fail "the Galera nodes did not all reach Synced in a cluster of 3"
	fi
	# Node 1 replicates the database and the user to the others.
	my_setup "$(ga_dir 1)/mariadbd.sock" || die "creating the casemint user and database in the Galera cluster failed"
}

stop_galera() {
	local n
	for n in 3 2 1; do
		if my_pid "$(ga_dir "$n")/mariadbd.pid" >/dev/null; then
			log "stopping Galera node $n"
			ga_kill "$n"
		fi
	done
}

# --- commands ---------------------------------------------------------------

# part: what stop and status act on.
part="${2:-all}"
case "${1:-}:$part" in
start:all | env:all | stop:all | stop:servers | stop:cluster | status:all | status:servers | status:cluster) ;;
*)
	log "usage: $0 start|env|stop [servers|cluster]|status [servers|cluster]"
	exit 2
	;;
esac
servers() { [ "$part" != cluster ]; }
cluster() { [ "$part" != servers ]; }

case "$1" in
start)
	install_packages
	mkdir -p "$DIR"
	chmod 0755 "$DIR" # the postgres user must reach its data below
	start_postgres
	start_mariadb
	start_galera
	log "ready"
	print_env
	;;
stop)
	if servers; then
		stop_postgres
		stop_mariadb
		rm -rf "$PG_DIR" "$MY_DIR"
	fi
	if cluster; then
		stop_galera
		rm -rf "$GA_DIR"
	fi
	rmdir "$DIR" 2>/dev/null || true
	log "stopped"
	;;
env)
	print_env
	;;
status)
	ok=0
	if servers; then
		if pg_running; then log "PostgreSQL running on 127.0.0.1:$PG_PORT"; else log "PostgreSQL not running"; ok=1; fi
		if command -v mariadb-admin >/dev/null && my_running; then log "MariaDB running on 127.0.0.1:$MY_PORT"; else log "MariaDB not running"; ok=1; fi
	fi
	if cluster; then
		for n in 1 2 3; do
			state=""
			if command -v mariadb >/dev/null && state="$(ga_state "$n")" && [ "$state" = "3 Primary Synced" ]; then
				log "Galera node $n running on 127.0.0.1:$((GA_SQL + n)): $state"
			else
				log "Galera node $n not running or not synced: ${state:-no answer}"
				ok=1
			fi
		done
	fi
	exit "$ok"
	;;
esac
