package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers driver "sqlite"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/casenum/casenumtest"
	"github.com/casemint/casemint/store"
)

// openExample opens an in-memory SQLite database with a table of cases.
// One connection: each connection to ":memory:" has a database of its own.
func openExample() *sql.DB {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE cases (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, subject TEXT)`)
	if err != nil {
		log.Fatal(err)
	}
	return db
}

// Create stores each record with its number in one round trip; a number
// that is taken comes back as a unique violation, and Create tries another.
func Example_create() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()

	// The Random renders CASE-25 twice, so the second record collides
	// once before it gets CASE-50.
	g, err := casenum.New(casenum.WithLayout("CASE-{rand:2}"), casenum.WithRandom(casenumtest.Tokens("rand:25", "rand:25", "rand:50")))
	if err != nil {
		log.Fatal(err)
	}
	for _, subject := range []string{"broken boiler", "no hot water"} {
		n, err := g.Create(ctx, func(ctx context.Context, number string) error {
			_, err := db.ExecContext(ctx, `INSERT INTO cases (number, subject) VALUES (?, ?)`, number, subject)
			return err // a unique violation is recognised as a collision
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n, subject)
	}
	fmt.Println("collisions:", g.Stats().Collisions)
	// Output:
	// CASE-25 broken boiler
	// CASE-50 no hot water
	// collisions: 1
}

// A Checker lets Generator.Next hand out a number that is free at the time
// of asking; the UNIQUE constraint still decides when the record is stored.
func ExampleChecker() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO cases (number) VALUES ('CASE-25')`); err != nil {
		log.Fatal(err)
	}

	c, err := store.NewChecker(db, store.SQLite, "cases", "number")
	if err != nil {
		log.Fatal(err)
	}
	g, err := casenum.New(casenum.WithLayout("CASE-{rand:2}"), casenum.WithChecker(c),
		casenum.WithRandom(casenumtest.Tokens("rand:25", "rand:50")))
	if err != nil {
		log.Fatal(err)
	}
	n, err := g.Next(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
	// Output: CASE-50
}

// A Sequence counts per scope: everything the layout renders before {seq},
// here the date, so the numbers restart every day.
func ExampleSequence() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()

	seq, err := store.NewSequence(db, store.SQLite, "case_counters")
	if err != nil {
		log.Fatal(err)
	}
	if err := seq.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	clock := casenumtest.NewClock(time.Date(2025, 9, 29, 23, 59, 0, 0, time.UTC))
	g, err := casenum.New(casenum.WithLayout("CASE-{date}-{seq:6}"), casenum.WithSequence(seq), casenum.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		n, err := g.Next(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n)
		clock.Advance(30 * time.Second)
	}
	// Output:
	// CASE-20250929-000001
	// CASE-20250929-000002
	// CASE-20250930-000001
}

// Bound to the record's transaction, the counter commits or rolls back with
// the record: numbers without gaps. The scope's counter row stays locked
// until the transaction ends, so such transactions take turns per scope.
func ExampleSequence_WithTx() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()

	// Made and validated once; WithTx and Generator.WithSequence bind them
	// to each transaction cheaply.
	seq, err := store.NewSequence(db, store.SQLite, "invoice_counters")
	if err != nil {
		log.Fatal(err)
	}
	if err := seq.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	gen, err := casenum.New(casenum.WithLayout("INV-{seq:4}"), casenum.WithSequence(seq))
	if err != nil {
		log.Fatal(err)
	}
	record := func(subject string, commit bool) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			log.Fatal(err)
		}
		// The same Generator, drawing its counter inside this transaction.
		n, err := gen.BindSequence(seq.WithTx(tx)).Create(ctx, func(ctx context.Context, number string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, subject) VALUES (?, ?)`, number, subject)
			return err
		})
		if err != nil {
			log.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n, subject, map[bool]string{true: "committed", false: "rolled back"}[commit])
	}
	record("first", true)
	record("second", false)
	record("third", true)
	// Output:
	// INV-0001 first committed
	// INV-0002 second rolled back
	// INV-0002 third committed
}

// WithBlock reserves values in blocks: one round trip for every 100
// values, at the price of gaps when the process stops mid-block.
func ExampleWithBlock() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()

	seq, err := store.NewSequence(db, store.SQLite, "ticket_counters", store.WithBlock(100))
	if err != nil {
		log.Fatal(err)
	}
	if err := seq.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	for range 3 {
		v, err := seq.Next(ctx, "T-")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(v, " ")
	}
	var reserved int
	if err := db.QueryRowContext(ctx, `SELECT value FROM ticket_counters WHERE scope = 'T-'`).Scan(&reserved); err != nil {
		log.Fatal(err)
	}
	fmt.Println("reserved up to", reserved)
	// Output: 1 2 3 reserved up to 100
}

// Savepoint lets Create retry inside the caller's transaction. On
// PostgreSQL a unique violation aborts the whole transaction; under a
// savepoint only the failed attempt is undone. The same code runs on every
// database.
func ExampleSavepoint() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()

	g, err := casenum.New(casenum.WithLayout("CASE-{rand:2}"), casenum.WithRandom(casenumtest.Tokens("rand:25", "rand:25", "rand:50")))
	if err != nil {
		log.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback()
	for _, subject := range []string{"broken boiler", "no hot water"} {
		n, err := g.Create(ctx, store.Savepoint(tx, func(ctx context.Context, number string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, subject) VALUES (?, ?)`, number, subject)
			return err
		}))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n, subject)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	var stored int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&stored); err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored:", stored, "collisions:", g.Stats().Collisions)
	// Output:
	// CASE-25 broken boiler
	// CASE-50 no hot water
	// stored: 2 collisions: 1
}

// CreateTx runs a transaction per attempt, so a record stored with child
// rows is retried whole: a taken number leaves no orphan line behind.
func ExampleCreateTx() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE notes (number TEXT NOT NULL, note TEXT NOT NULL)`); err != nil {
		log.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO cases (number) VALUES ('CASE-25')`); err != nil {
		log.Fatal(err)
	}
	g, err := casenum.New(casenum.WithLayout("CASE-{rand:2}"), casenum.WithRandom(casenumtest.Tokens("rand:25", "rand:50")))
	if err != nil {
		log.Fatal(err)
	}
	n, err := store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, number string) error {
		// The note first: when the case's INSERT then collides, the
		// transaction rolls back and takes the note with it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO notes (number, note) VALUES (?, ?)`, number, "caller on hold"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, subject) VALUES (?, ?)`, number, "broken boiler")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	var notes int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes`).Scan(&notes); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "notes:", notes, "collisions:", g.Stats().Collisions)
	// Output:
	// CASE-50 notes: 1 collisions: 1
}

// Concurrent calls of CreateTx drawing from one gap-free counter share
// transactions: one counter update and one COMMIT per batch, each record
// with its own number. A caller whose function fails takes no number, so
// the series has no gap.
func ExampleWithGroupCommit() {
	db := openExample()
	defer db.Close()
	ctx := context.Background()
	seq, err := store.NewSequence(db, store.SQLite, "counters", store.WithGroupCommit(32))
	if err != nil {
		log.Fatal(err)
	}
	if err := seq.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	g, err := casenum.New(casenum.WithLayout("INV-{seq:4}"), casenum.WithSequence(seq))
	if err != nil {
		log.Fatal(err)
	}
	declined := errors.New("card declined")
	var wg sync.WaitGroup
	var failed atomic.Int32
	for order := range 8 {
		wg.Go(func() {
			_, err := store.CreateTx(ctx, db, g, nil, func(ctx context.Context, tx *sql.Tx, number string) error {
				if order == 3 {
					return declined
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, subject) VALUES (?, ?)`, number, fmt.Sprint("order ", order))
				return err
			})
			if errors.Is(err, declined) {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	rows, err := db.QueryContext(ctx, `SELECT number FROM cases ORDER BY number`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			log.Fatal(err)
		}
		numbers = append(numbers, n)
	}
	fmt.Println(strings.Join(numbers, " "))
	fmt.Println("declined:", failed.Load())
	// Output:
	// INV-0001 INV-0002 INV-0003 INV-0004 INV-0005 INV-0006 INV-0007
	// declined: 1
}

// A duplicate in another UNIQUE column is no taken number: with
// UniqueViolationOn as the conflict test it comes back at once.
func ExampleUniqueViolationOn() {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	_, err = db.ExecContext(ctx, `CREATE TABLE calls (case_number TEXT NOT NULL UNIQUE, request_id TEXT NOT NULL UNIQUE)`)
	if err != nil {
		log.Fatal(err)
	}
	g, err := casenum.New(casenum.WithConflict(func(err error) bool { return store.UniqueViolationOn(err, "case_number") }))
	if err != nil {
		log.Fatal(err)
	}
	insert := func(ctx context.Context, number string) error {
		_, err := db.ExecContext(ctx, `INSERT INTO calls (case_number, request_id) VALUES (?, ?)`, number, "req-1")
		return err
	}
	_, err = g.Create(ctx, insert)
	fmt.Println(err == nil)
	_, err = g.Create(ctx, insert) // the same request again
	fmt.Println(store.UniqueViolationOn(err, "request_id"), g.Stats().Attempts)
	// Output:
	// true
	// true 2
}
