package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/testdb"
	"github.com/casemint/casemint/store"
)

// interrupter interrupts a session's COMMIT from a connection of its own,
// as an operator or a statement timeout would.
type interrupter struct {
	b backend
	// session is run in the attempt's transaction: the session's id.
	session string
	// prepare slows the COMMITs of table down where that helps land on them.
	prepare func(t *testing.T, db *sql.DB, table string)
	// interrupt interrupts session id's COMMIT, or whatever it runs then.
	interrupt func(ctx context.Context, admin *sql.DB, id int64) error
	// answered reports whether err is the interrupted statement's answer.
	answered func(err error) bool
}

var interrupters = []interrupter{
	{
		b:       backend{"postgres", store.Postgres, namedPostgres},
		session: "SELECT pg_backend_pid()",
		// A deferred constraint trigger runs at COMMIT: it holds each
		// COMMIT long enough for the canceller to see it in
		// pg_stat_activity.
		prepare: func(t *testing.T, db *sql.DB, table string) {
			fn := testdb.Table(t, "slow_commit")
			t.Cleanup(func() { _, _ = db.ExecContext(context.Background(), "DROP FUNCTION IF EXISTS "+fn+"() CASCADE") })
			for _, stmt := range []string{
				"CREATE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM pg_sleep(0.02); RETURN NULL; END$$",
				"CREATE CONSTRAINT TRIGGER " + fn + " AFTER INSERT ON " + table +
					" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + fn + "()",
			} {
				_, err := db.ExecContext(t.Context(), stmt)
				require.NoError(t, err)
			}
		},
		// pg_cancel_backend once the session's COMMIT runs.
		interrupt: func(ctx context.Context, admin *sql.DB, pid int64) error {
			for range 500 {
				var committing bool
				err := admin.QueryRowContext(ctx, `SELECT state = 'active' AND lower(query) = 'commit'
					FROM pg_stat_activity WHERE pid = $1 AND application_name = $2`, pid, appName).Scan(&committing)
				if errors.Is(err, sql.ErrNoRows) {
					return nil // the session has ended
				}
				if err != nil {
					return err
				}
				if committing {
					_, err := admin.ExecContext(ctx, "SELECT pg_cancel_backend($1)", pid)
					return err
				}
				time.Sleep(time.Millisecond)
			}
			return nil // the COMMIT came and went unseen
		},
		answered: func(err error) bool {
			var pe *pgconn.PgError
			return errors.As(err, &pe) && pe.Code == "57014" // query_canceled
		},
	},
	{
		b:       backend{"mariadb", store.MySQL, paddedCommits},
		session: "SELECT CONNECTION_ID()",
		prepare: func(*testing.T, *sql.DB, string) {},
		// KILL QUERY once the session's COMMIT is read.
		interrupt: func(ctx context.Context, admin *sql.DB, id int64) error {
			for range 500 {
				var committing bool
				err := admin.QueryRowContext(ctx, `SELECT COALESCE(LEFT(INFO, 6) = 'COMMIT', FALSE)
					FROM information_schema.PROCESSLIST WHERE ID = ?`, id).Scan(&committing)
				if errors.Is(err, sql.ErrNoRows) {
					return nil // the session has ended
				}
				if err != nil {
					return err
				}
				if committing {
					_, err := admin.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(id, 10))
					var me *mysql.MySQLError
					if errors.As(err, &me) && me.Number == 1094 { // ER_NO_SUCH_THREAD: it has ended since
						return nil
					}
					return err
				}
				time.Sleep(100 * time.Microsecond)
			}
			return nil
		},
		answered: func(err error) bool {
			var me *mysql.MySQLError
			return errors.As(err, &me) && me.Number == 1317 // ER_QUERY_INTERRUPTED
		},
	},
}

// appName names the sessions of namedPostgres, so that a process id the
// server has given to another session since is never cancelled.
const appName = "casemint_interrupted_commit"

// namedPostgres opens the PostgreSQL database with the pgx driver, its
// sessions named appName.
func namedPostgres(t testing.TB) *sql.DB {
	t.Helper()
	testdb.Postgres(t) // skips, or fails, as every test of the server does
	dsn := testdb.PostgresDSN(t)
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		q := u.Query()
		q.Set("application_name", appName)
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else {
		dsn += " application_name=" + appName // keyword/value form
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// paddedCommits opens the MariaDB database with go-sql-driver/mysql, but
// sends each COMMIT as "COMMIT /* a MiB of padding */". The server reads
// the comment before it starts the COMMIT, which holds the statement for
// some milliseconds in the window where a KILL QUERY interrupts it: the
// server answers 1317 and leaves the transaction open. (Without the
// padding the window lasts microseconds, and only a loaded server falls
// into it now and then.)
func paddedCommits(t testing.TB) *sql.DB {
	t.Helper()
	testdb.MySQL(t) // skips, or fails, as every test of the server does
	cfg, err := mysql.ParseDSN(testdb.MySQLDSN(t))
	require.NoError(t, err)
	c, err := mysql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(paddedConnector{c})
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var paddedCommit = "COMMIT /*" + strings.Repeat(" ", 1<<20) + "*/"

// mysqlConn is what database/sql uses of a go-sql-driver/mysql connection.
type mysqlConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.ConnPrepareContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type paddedConnector struct{ driver.Connector }

func (c paddedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return paddedConn{conn.(mysqlConn)}, nil
}

type paddedConn struct{ mysqlConn }

func (c paddedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.mysqlConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return paddedTx{tx, c.mysqlConn}, nil
}

type paddedTx struct {
	driver.Tx
	conn mysqlConn
}

func (tx paddedTx) Commit() error {
	_, err := tx.conn.ExecContext(context.Background(), paddedCommit, nil)
	return err
}

// answer is what one request was told.
type answer struct {
	number     string // stored, or uncertain: the number the error carries
	err        error
	atCommit   bool // the call failed at COMMIT: its function had returned nil for that number
	foundAfter bool // uncertain: a look-up right after the answer found the record
}

// Interrupting COMMITs under load (a KILL QUERY on MariaDB, which answers
// 1317 and leaves the transaction open; pg_cancel_backend on PostgreSQL,
// which answers 57014): every caller is told the truth. A call whose
// COMMIT failed is told uncertain, with its number; the record is then
// stored under that number or not at all, and a look-up right after the
// answer already sees which; every call told "failed" stored nothing;
// every call told "stored" is stored under its number; no record is stored
// twice, and a gap-free series has no gap.
func TestInterruptedCommit(t *testing.T) {
	t.Parallel()
	for _, it := range interrupters {
		for _, gapFree := range []bool{false, true} {
			name := it.b.name
			if gapFree {
				name += "/gap-free"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				interruptCommits(t, it, gapFree)
			})
		}
	}
}

func interruptCommits(t *testing.T, it interrupter, gapFree bool) {
	const workers, requests = 8, 40
	db := it.b.open(t)
	db.SetMaxOpenConns(workers)
	admin := it.b.open(t)
	ctx := t.Context()
	table := casesTable(t, it.b, db)
	it.prepare(t, db, table)
	opts := []casenum.Option{casenum.WithLayout("K-{hex:10}"), casenum.WithFallbackLayout("")}
	if gapFree {
		opts = []casenum.Option{casenum.WithLayout("K-{seq:6}"), casenum.WithFallbackLayout(""),
			casenum.WithSequence(counterTable(t, db, it.b.d))}
	}
	g, err := casenum.New(opts...)
	require.NoError(t, err)
	insert := "INSERT INTO " + table + " (number, request) VALUES (" + ph(it.b.d, 1) + ", " + ph(it.b.d, 2) + ")"
	lookup := "SELECT COUNT(*) FROM " + table + " WHERE request = " + ph(it.b.d, 1)

	var (
		mu          sync.Mutex
		answers     = map[int]answer{}
		interrupted atomic.Int64 // COMMITs answered with the interrupt's code
		last        atomic.Int64
		killers     sync.WaitGroup
	)
	request := func() {
		req := int(last.Add(1))
		committing := "" // the number whose COMMIT was sent last
		n, err := store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, n string) error {
			if _, err := tx.ExecContext(ctx, insert, n, req); err != nil {
				return err
			}
			if req%2 == 0 {
				var id int64
				if err := tx.QueryRowContext(ctx, it.session).Scan(&id); err != nil {
					return err
				}
				killers.Go(func() { assert.NoError(t, it.interrupt(ctx, admin, id)) })
			}
			committing = n
			return nil
		})
		a := answer{number: n, err: err}
		var ae *casenum.AttemptError
		if err != nil && errors.As(err, &ae) {
			a.atCommit = committing != "" && ae.Number == committing
			if errors.Is(err, casenum.ErrUncertain) {
				a.number = ae.Number
				var c int
				assert.NoError(t, admin.QueryRowContext(ctx, lookup, req).Scan(&c))
				a.foundAfter = c > 0
			}
			if a.atCommit && it.answered(err) {
				interrupted.Add(1)
			}
		}
		mu.Lock()
		answers[req] = a
		mu.Unlock()
	}
	// Half the requests are interrupted, most of them at COMMIT; on a busy
	// machine fewer interrupts land there, so rounds go on until enough did.
	for round := 0; round < 5 && interrupted.Load() < 5; round++ {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range requests {
					request()
				}
			})
		}
		wg.Wait()
	}
	killers.Wait()
	reconcile(t, db, table, answers, gapFree)
	require.GreaterOrEqual(t, interrupted.Load(), int64(5), "too few COMMITs were interrupted to prove anything")
}

// reconcile checks every answer against the table and logs the figures.
func reconcile(t *testing.T, db *sql.DB, table string, answers map[int]answer, gapFree bool) {
	t.Helper()
	rows := storedByRequest(t, db, table)
	var stored, uncertain, uncertainStored, failed, misreported, interruptedAtCommit int
	bad := func(req int, format string, args ...any) {
		misreported++
		t.Errorf("request %d: "+format, append([]any{req}, args...)...)
	}
	for req, a := range answers {
		got, ok := rows[req]
		switch {
		case a.err == nil:
			stored++
			if got != a.number {
				bad(req, "told stored as %q, the table holds %q", a.number, got)
			}
		case errors.Is(a.err, casenum.ErrUncertain):
			uncertain++
			if ok {
				uncertainStored++
			}
			if a.atCommit {
				interruptedAtCommit++
			}
			if ok && got != a.number {
				bad(req, "told uncertain with %q, stored as %q", a.number, got)
			}
			if ok != a.foundAfter {
				bad(req, "told uncertain; a look-up right after found it: %v, the table at the end: %v", a.foundAfter, ok)
			}
		default:
			failed++
			if ok {
				bad(req, "told failed (%v), yet stored as %q", a.err, got)
			}
			if a.atCommit {
				bad(req, "its COMMIT failed, and it was told failed, not uncertain: %v", a.err)
			}
		}
	}
	t.Logf("%s: %d requests: %d stored, %d uncertain (%d at COMMIT; %d of them stored), %d failed; misreported %d",
		t.Name(), len(answers), stored, uncertain, interruptedAtCommit, uncertainStored, failed, misreported)
	if gapFree {
		var seqs []int
		for _, n := range rows {
			v, err := strconv.Atoi(strings.TrimPrefix(n, "K-"))
			require.NoError(t, err)
			seqs = append(seqs, v)
		}
		slices.Sort(seqs)
		for i, v := range seqs {
			if v != i+1 {
				t.Errorf("gap-free series: value %d stored where %d was due", v, i+1)
				break
			}
		}
	}
}
