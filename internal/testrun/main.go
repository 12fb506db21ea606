// Command testrun runs go test and says what it did: go test's line for
// each package as it finishes, under it how many tests were skipped and
// why, the whole output of every failing test, and a closing count.
//
//	go run ./internal/testrun                   # go test -race ./...
//	go run ./internal/testrun -run Create ./store
//
// Its arguments go to go test as they are; without any it runs -race ./...
// It exits with go test's status. go test itself hides all output of a
// passing package when given a list of packages, skip messages included;
// testrun reads them from go test -json instead.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
)

// defaultArgs are go test's arguments when testrun is given none.
var defaultArgs = []string{"-race", "./..."}

func main() {
	// An interrupt reaches go test too; testrun lives on to report what
	// finished before it.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	os.Exit(run(os.Args[1:], "", os.Stdout, os.Stderr))
}

// run runs go test -json with args in dir, writes the report to stdout and
// go test's own standard error to stderr, and returns go test's exit
// status.
func run(args []string, dir string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = defaultArgs
	}
	args = append([]string{"test", "-json"}, args...)
	fmt.Fprintf(stderr, "testrun: go %s\n", join(args))
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Stderr = stderr
	events, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(stderr, "testrun:", err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "testrun:", err)
		return 1
	}
	r := newReport(stdout)
	readErr := r.read(events)
	err = cmd.Wait()
	r.close()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil || readErr != nil:
		fmt.Fprintln(stderr, "testrun:", errors.Join(err, readErr))
		return 1
	}
	return 0
}

// join joins the arguments with spaces, quoting those a shell would split.
func join(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if a == "" || strings.ContainsAny(a, " \t\n'\"$*?[]|&;<>()\\`") {
			quoted[i] = strconv.Quote(a)
		}
	}
	return strings.Join(quoted, " ")
}
