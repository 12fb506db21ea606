// Command quickstart is the smallest service that mints case numbers: one
// HTTP handler that stores a call in SQLite under a number from casemint.
//
//	go run ./examples/quickstart
//	curl -d subject=Billing localhost:8080/calls    # 201 CASE-20250929-7KQ2M9Z
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"

	_ "modernc.org/sqlite" // any database/sql driver will do

	"github.com/casemint/casemint/casenum"
)

func main() {
	db, err := openDB("calls.db")
	if err != nil {
		log.Fatal(err)
	}
	// Six symbols safe to read aloud and a check character that catches a
	// mistyped or swapped one.
	gen, err := casenum.New(casenum.WithLayout("CASE-{date}-{alnum:6}{check}"))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("POST /calls", createCall(db, gen))
	log.Fatal(http.ListenAndServe("localhost:8080", nil))
}

// openDB opens the SQLite file at path and creates the table. Concurrent
// requests write at once: WAL and a busy timeout make each writer wait for
// the one before it instead of failing with SQLITE_BUSY.
func openDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	// The UNIQUE constraint, not a lookup, is what keeps numbers unique.
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS calls (case_number TEXT NOT NULL UNIQUE, subject TEXT NOT NULL)`)
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// createCall stores a call and answers with its case number.
func createCall(db *sql.DB, gen *casenum.Generator) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		subject := r.FormValue("subject")
		// Create calls the insert with a candidate; a unique violation
		// means "taken", and Create tries another number.
		number, err := gen.Create(r.Context(), func(ctx context.Context, number string) error {
			_, err := db.ExecContext(ctx, `INSERT INTO calls (case_number, subject) VALUES (?, ?)`, number, subject)
			return err
		})
		var attempt *casenum.AttemptError
		switch {
		case err == nil:
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintln(w, number)
		case errors.Is(err, casenum.ErrUncertain) && errors.As(err, &attempt):
			// The connection was lost mid-insert: the call may be stored.
			// The client looks the number up before it sends the call again.
			http.Error(w, "outcome unknown: look up "+attempt.Number, http.StatusGatewayTimeout)
		case errors.Is(err, casenum.ErrExhausted):
			// Every attempt was aborted by a busy database, or found its
			// number taken: either way, a moment later may succeed.
			w.Header().Set("Retry-After", "1")
			msg := "no case number free"
			if casenum.Classify(err) == casenum.Aborted {
				msg = "the database is busy"
			}
			http.Error(w, msg, http.StatusServiceUnavailable)
		default:
			log.Printf("create call: %v", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}
}
