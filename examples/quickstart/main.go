// Command quickstart stores three call records in SQLite, each under a case
// number that casemint mints: the smallest complete use of the library.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver: any database/sql driver will do

	"github.com/casemint/casemint/casenum"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	dir, err := os.MkdirTemp("", "casemint-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "calls.db"))
	if err != nil {
		return err
	}
	defer db.Close()

	// The UNIQUE constraint, not a lookup, is what keeps numbers unique.
	_, err = db.ExecContext(ctx, `CREATE TABLE calls (case_number TEXT NOT NULL UNIQUE, subject TEXT NOT NULL)`)
	if err != nil {
		return err
	}

	// With no options: CASE-{date}-{unixms}-{rand:3}, as CASE-20250929-1759131413832-073.
	gen, err := casenum.New()
	if err != nil {
		return err
	}
	for _, subject := range []string{"Router keeps rebooting", "Billing question", "Password reset"} {
		// Create calls the insert with a candidate number. A unique
		// violation means "taken": Create tries a fresh number. Any other
		// error comes back as is.
		number, err := gen.Create(ctx, func(ctx context.Context, number string) error {
			_, err := db.ExecContext(ctx, `INSERT INTO calls (case_number, subject) VALUES (?, ?)`, number, subject)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %s\n", number, subject)
	}
	st := gen.Stats()
	fmt.Fprintf(w, "minted %d in %d attempts\n", st.Minted, st.Attempts)
	return nil
}
