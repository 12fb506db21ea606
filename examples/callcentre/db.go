package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"

	"github.com/casemint/casemint/store"
)

// defaultSQLiteFile is where the service keeps its records when -db is not
// given: in the user's own cache directory, so a fresh clone runs with no
// set-up, leaves nothing in the working tree and never meets another
// user's records; in the working directory when there is no cache
// directory.
func defaultSQLiteFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "callcentre.db"
	}
	return filepath.Join(dir, "casemint", "callcentre.db")
}

// sqlitePragmas make concurrent writers wait for each other (busy_timeout)
// instead of failing with SQLITE_BUSY, and let readers run beside the
// writer (WAL).
const sqlitePragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"

// database is what -db names: a driver, its data source and the dialect.
type database struct {
	driver  string
	source  string // what sql.Open gets
	dialect store.Dialect
	display string // source with the password hidden, for logs
	dir     string // created before opening, when not empty
}

// parseDSN recognises the database from its DSN:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL (pgx), also postgresql://
//	mysql://user:pass@host:3306/db?param=value          MySQL or MariaDB (go-sql-driver/mysql)
//	user:pass@tcp(host:3306)/db?param=value             the same, in go-sql-driver/mysql's own form
//	sqlite:path/to/file.db, or a plain file path         SQLite (modernc.org/sqlite)
//
// An empty DSN is the SQLite file defaultSQLiteFile, whose directory is
// created if missing. MySQL connections get
// parseTime=true (the records have a DATETIME) and, unless the DSN says
// otherwise, interpolateParams=true, which saves two round trips per
// statement.
func parseDSN(dsn string) (database, error) {
	switch {
	case dsn == "":
		d, err := sqliteDatabase(defaultSQLiteFile())
		d.dir = filepath.Dir(d.display)
		return d, err
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		u, err := url.Parse(dsn)
		if err != nil {
			return database{}, fmt.Errorf("PostgreSQL DSN: %w", redactURLError(err))
		}
		return database{driver: "pgx", source: dsn, dialect: store.Postgres, display: u.Redacted()}, nil
	case strings.HasPrefix(dsn, "mysql://"):
		cfg, err := mysqlURL(dsn)
		if err != nil {
			return database{}, err
		}
		return mysqlDatabase(cfg, dsn)
	case strings.Contains(dsn, "@tcp(") || strings.Contains(dsn, "@unix(") ||
		strings.HasPrefix(dsn, "tcp(") || strings.HasPrefix(dsn, "unix("):
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			return database{}, fmt.Errorf("MySQL DSN: %w", err)
		}
		return mysqlDatabase(cfg, dsn)
	case strings.HasPrefix(dsn, "sqlite://"):
		return sqliteDatabase(strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqliteDatabase(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return database{}, fmt.Errorf("unknown database scheme %q: use postgres://, mysql://, a go-sql-driver/mysql DSN or an SQLite file path", scheme)
	case strings.ContainsAny(dsn, "=@ "):
		// A key=value PostgreSQL DSN or a MySQL DSN without tcp(...) would
		// otherwise become an SQLite file named after it, password and
		// all; say nothing of its content.
		return database{}, errors.New("unrecognised -db value: use postgres://, mysql://, a go-sql-driver/mysql DSN with tcp(...) or an SQLite file path")
	}
	return sqliteDatabase(dsn)
}

func sqliteDatabase(path string) (database, error) {
	if path == "" {
		return database{}, errors.New("SQLite DSN: empty file path")
	}
	if strings.ContainsAny(path, "?#") {
		return database{}, fmt.Errorf("SQLite DSN: file path %q must not contain ? or #; the pragmas are set by the service", path)
	}
	return database{driver: "sqlite", source: path + sqlitePragmas, dialect: store.SQLite, display: path}, nil
}

// mysqlURL converts mysql://user:pass@host:port/db?params to the driver's
// Config. The parameters are parsed by the driver itself, so every one it
// knows works in either form.
func mysqlURL(dsn string) (*mysql.Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("MySQL DSN: %w", redactURLError(err))
	}
	cfg, err := mysql.ParseDSN("/?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("MySQL DSN parameters: %w", err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" && u.Hostname() != "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	return cfg, nil
}

func mysqlDatabase(cfg *mysql.Config, dsn string) (database, error) {
	cfg.ParseTime = true
	if !strings.Contains(dsn, "interpolateParams=") {
		cfg.InterpolateParams = true
	}
	shown := cfg.Clone()
	if shown.Passwd != "" {
		shown.Passwd = "xxxxx"
	}
	return database{driver: "mysql", source: cfg.FormatDSN(), dialect: store.MySQL, display: shown.FormatDSN()}, nil
}

// redactURLError drops the URL from a *url.Error, which would print the
// password.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// open opens and pings the database. conns caps the pool of a server
// database; SQLite gets one connection.
func (d database) open(ctx context.Context, conns int) (*sql.DB, error) {
	if d.dir != "" {
		if err := os.MkdirAll(d.dir, 0o700); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open(d.driver, d.source)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", d.display, err)
	}
	if d.dialect == store.SQLite {
		// SQLite has one writer at a time. One connection makes writers
		// queue in the pool, in order and cancellable, instead of in the
		// busy handler, which polls with sleeps: at 64 concurrent creates
		// that cuts the p99 latency by half or more.
		db.SetMaxOpenConns(1)
	} else {
		db.SetMaxOpenConns(conns)
		db.SetMaxIdleConns(conns)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to %s: %w", d.display, err)
	}
	return db, nil
}
