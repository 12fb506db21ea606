#!/usr/bin/env bash
# Starts, stops and describes the PostgreSQL and MariaDB servers that the
# integration tests use. Both listen on 127.0.0.1 only, on unusual ports, with
# their data in a throw-away directory, so they never meet a real installation.
#
#   eval "$(bash internal/testdb/databases.sh start)"   # install if needed, start, export DSNs
#   bash internal/testdb/databases.sh env               # print the export lines again
#   bash internal/testdb/databases.sh status            # exit 0 when both servers answer
#   bash internal/testdb/databases.sh stop              # stop both and remove their data
#
# Only the export lines go to stdout; progress goes to stderr. Runs as root on
# Debian 12. The data is disposable: durability settings are relaxed for speed.
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
WAIT_SECONDS=60

POSTGRES_DSN="postgres://casemint:casemint@127.0.0.1:$PG_PORT/casemint?sslmode=disable"
MYSQL_DSN="casemint:casemint@tcp(127.0.0.1:$MY_PORT)/casemint?parseTime=true&interpolateParams=true"

log() { printf 'databases: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

print_env() {
	printf "export CASEMINT_POSTGRES_DSN='%s'\n" "$POSTGRES_DSN" >&3
	printf "export CASEMINT_MYSQL_DSN='%s'\n" "$MYSQL_DSN" >&3
}

pg_bin() {
	local d
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
	[ -n "$d" ] && [ -x "$d/initdb" ] || return 1
	printf '%s\n' "$d"
}

installed() {
	pg_bin >/dev/null && command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null &&
		command -v mariadb >/dev/null && command -v mariadb-admin >/dev/null
}

install_packages() {
	if installed; then
		return
	fi
	[ "$(id -u)" -eq 0 ] || die "installing packages needs root"
	log "installing postgresql and mariadb-server from Debian packages"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql mariadb-server
	installed || die "postgresql or mariadb-server binaries missing after install"
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

my_admin() { mariadb-admin --no-defaults --protocol=socket --socket="$MY_SOCK" -u root "$@"; }
my_sql() { mariadb --no-defaults --protocol=socket --socket="$MY_SOCK" -u root "$@"; }

my_pid() {
	local pid
	[ -f "$MY_PID" ] || return 1
	pid="$(cat "$MY_PID" 2>/dev/null)"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || return 1
	printf '%s\n' "$pid"
}

my_running() {
	my_pid >/dev/null && my_admin --connect-timeout=2 ping >/dev/null 2>&1
}

my_init() {
	log "initialising MariaDB in $MY_DATA"
	rm -rf "$MY_DIR"
	mkdir -p "$MY_DATA"
	mariadb-install-db --no-defaults --basedir=/usr --datadir="$MY_DATA" --user=root \
		--auth-root-authentication-method=socket --skip-test-db >"$MY_DIR/install-db.log" 2>&1 ||
		{ cat "$MY_DIR/install-db.log" >&2; die "mariadb-install-db failed"; }
}

my_start() {
	# --no-defaults keeps the system's /etc/mysql settings (port 3306, its
	# socket and log paths) out of the way. setsid -f: the server outlives us;
	# 3>&-: it must not hold the caller's stdout, or $(...) never ends.
	setsid -f mariadbd --no-defaults --basedir=/usr --datadir="$MY_DATA" --user=root \
		--bind-address=127.0.0.1 --port="$MY_PORT" --socket="$MY_SOCK" --pid-file="$MY_PID" \
		--log-error="$MY_LOG" --skip-name-resolve --max-connections=300 \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=128M \
		</dev/null >>"$MY_DIR/stdout.log" 2>&1 3>&-
}

my_wait() {
	local i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if my_admin --connect-timeout=1 ping >/dev/null 2>&1 && my_pid >/dev/null; then
			return 0
		fi
		sleep 0.25
	done
	return 1
}

my_kill() {
	local pid i
	pid="$(my_pid)" || return 0
	my_admin shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 120; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.25
	done
	kill -9 "$pid" 2>/dev/null || true
}

my_setup() {
	# With skip-name-resolve a TCP client from 127.0.0.1 matches host '127.0.0.1'
	# and 'localhost' means the socket; anonymous users would shadow both.
	my_sql <<'SQL'
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
			my_kill
			my_init
			log "starting MariaDB on 127.0.0.1:$MY_PORT"
			if ! my_start || ! my_wait; then
				tail -n 30 "$MY_LOG" >&2 || true
				die "MariaDB did not start (log: $MY_LOG)"
			fi
		fi
	fi
	my_setup || die "creating the casemint user and database in MariaDB failed"
}

stop_mariadb() {
	if my_pid >/dev/null; then
		log "stopping MariaDB"
		my_kill
	fi
}

# --- commands ---------------------------------------------------------------

case "${1:-}" in
start)
	install_packages
	mkdir -p "$DIR"
	chmod 0755 "$DIR" # the postgres user must reach its data below
	start_postgres
	start_mariadb
	log "ready"
	print_env
	;;
stop)
	stop_postgres
	stop_mariadb
	rm -rf "$DIR"
	log "stopped; removed $DIR"
	;;
env)
	print_env
	;;
status)
	ok=0
	if pg_running; then log "PostgreSQL running on 127.0.0.1:$PG_PORT"; else log "PostgreSQL not running"; ok=1; fi
	if command -v mariadb-admin >/dev/null && my_running; then log "MariaDB running on 127.0.0.1:$MY_PORT"; else log "MariaDB not running"; ok=1; fi
	exit "$ok"
	;;
*)
	log "usage: $0 start|stop|env|status"
	exit 2
	;;
esac
