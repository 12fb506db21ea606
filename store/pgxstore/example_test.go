package pgxstore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/store/pgxstore"
)

// CreateTx stores a case and its first note in a transaction per attempt;
// the day's counter is raised in that transaction too, so the numbers have
// no gaps. (It needs a PostgreSQL server at DATABASE_URL with tables cases
// and notes.)
func ExampleCreateTx() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	seq, err := pgxstore.NewSequence(pool, "case_counters")
	if err != nil {
		log.Fatal(err)
	}
	if err := seq.CreateTable(ctx); err != nil {
		log.Fatal(err)
	}
	g, err := casenum.New(casenum.WithLayout("CASE-{date}-{seq:6}"), casenum.WithSequence(seq))
	if err != nil {
		log.Fatal(err)
	}
	n, err := pgxstore.CreateTx(ctx, pool, g, pgx.TxOptions{}, func(ctx context.Context, tx pgx.Tx, number string) error {
		if _, err := tx.Exec(ctx, `INSERT INTO cases (number, subject) VALUES ($1, $2)`, number, "broken boiler"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO notes (number, body) VALUES ($1, $2)`, number, "at home after 5 pm")
		return err
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, casenum.ErrUncertain): look the case up before trying again
	}
	fmt.Println(n)
}

// Savepoint lets Create retry a taken number inside the caller's own
// transaction, which a failed INSERT would otherwise abort.
func ExampleSavepoint() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	g, err := casenum.New()
	if err != nil {
		log.Fatal(err)
	}

	tx, err := pool.Begin(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	n, err := g.Create(ctx, pgxstore.Savepoint(tx, func(ctx context.Context, number string) error {
		_, err := tx.Exec(ctx, `INSERT INTO cases (number, subject) VALUES ($1, $2)`, number, "no hot water")
		return err
	}))
	if err != nil {
		log.Fatal(err)
	}
	// ... more statements of the caller's transaction ...
	if err := tx.Commit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n)
}
