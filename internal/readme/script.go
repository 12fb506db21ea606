package readme

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A Script is a shell block of a README that uses curl.
type Script struct {
	Block
	Program string   // the program it calls, as go run names it: "./examples/callcentre"
	Args    []string // the arguments the block starts the program with
	Output  *Block   // the text block after it that shows what it prints; nil when comments show it

	script *script
	groups []string // the comment paragraphs, which name status codes
}

// usesCurl matches a block that runs curl.
var usesCurl = regexp.MustCompile(`(^|[\s(|;&])curl(\s|$)`)

// Scripts returns the shell blocks of the README name under root that use
// curl. A block with curl in it that is not marked as shell, that cannot
// be read, or whose program or output is not stated, is an error.
func Scripts(root, name string) ([]*Script, error) {
	blocks, err := Blocks(root, name)
	if err != nil {
		return nil, err
	}
	var scripts []*Script
	var errs []error
	for i, b := range blocks {
		if !usesCurl.MatchString(b.Text) {
			continue
		}
		var next *Block
		if i+1 < len(blocks) && blocks[i+1].Info == "text" {
			next = &blocks[i+1]
		}
		s, err := newScript(b, next)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		scripts = append(scripts, s)
	}
	return scripts, errors.Join(errs...)
}

// ScriptsFor returns the Scripts of every README in Files that call
// program.
func ScriptsFor(root, program string) ([]*Script, error) {
	var found []*Script
	for _, name := range Files {
		scripts, err := Scripts(root, name)
		if err != nil {
			return nil, err
		}
		for _, s := range scripts {
			if s.Program == program {
				found = append(found, s)
			}
		}
	}
	return found, nil
}

// newScript reads the shell block b, whose output the text block output
// shows, or its comments when output is nil.
func newScript(b Block, output *Block) (*Script, error) {
	at := func(line int, err error) error { return fmt.Errorf("%s:%d: %w", b.File, b.Line+line, err) }
	switch b.Info {
	case "sh", "bash", "shell":
	default:
		return nil, at(0, fmt.Errorf("a block with curl lines is marked %q; mark it sh, so that the tests run it", b.Info))
	}
	sc, groups, line, err := parseShell(b.Text)
	if err != nil {
		return nil, at(line, err)
	}
	s := &Script{Block: b, Output: output, script: sc, groups: groups}
	for _, c := range sc.cmds {
		switch {
		case c.background && s.Program != "":
			return nil, at(c.line, errors.New("a second program started"))
		case c.background:
			if s.Program, s.Args, err = goRun(c); err != nil {
				return nil, at(c.line, err)
			}
		case output == nil && c.trailing == "" && !c.assigns():
			return nil, at(c.line, errors.New("nothing shows what the command prints: a comment at the end of its line, or a text block after this block"))
		}
	}
	if s.Program == "" {
		dir := path.Dir(b.File)
		if dir == "." {
			return nil, at(0, errors.New("the block starts no program (go run ./examples/... &) and is not in the README of the one it calls"))
		}
		s.Program = "./" + dir
	}
	return s, nil
}

// goRun reads the program and arguments of go run, the only command that
// may run in the background: the program the block calls.
func goRun(c *command) (string, []string, error) {
	var args []string
	for _, w := range c.stages[0] {
		if len(w) != 1 || w[0].name != "" || w[0].subst != nil {
			return "", nil, fmt.Errorf("the program started with & is named by literal words")
		}
		args = append(args, w[0].text)
	}
	if len(c.stages) != 1 || len(args) < 3 || args[0] != "go" || args[1] != "run" || !strings.HasPrefix(args[2], "./") {
		return "", nil, fmt.Errorf("only go run ./<program> may run in the background, not %q", strings.Join(args, " "))
	}
	return args[2], args[3:], nil
}

// A Service is the program a Script calls, running for a test.
type Service struct {
	Addr   string            // the address it listens on
	Names  []string          // the host:port the README's curl lines name it by, such as "localhost:8080"
	Number func(string) bool // reports whether a text is a case number the service can mint
}

// Run runs the script's commands in order against svc, all but the one
// that starts the program, and checks what they print against what the
// README shows, and each curl answer's status against the comment above
// its command. Case numbers the service can mint, times and dates may
// differ from those shown; a … in what the README shows stands for any
// text.
func (s *Script) Run(svc Service) error {
	r := &runner{svc: svc, vars: map[string]string{}}
	var (
		errs    []error
		stdout  strings.Builder
		answers = map[int][]answer{} // by comment paragraph
	)
	for _, c := range s.script.cmds {
		if c.background {
			continue
		}
		r.statuses = nil
		out, err := r.command(c)
		if err != nil {
			return fmt.Errorf("%s: %w", s.at(c.line), err)
		}
		stdout.Write(out)
		for _, st := range r.statuses {
			answers[c.group] = append(answers[c.group], answer{c.line, st})
		}
		if s.Output == nil && !svc.matches(c.trailing, strings.TrimSuffix(string(out), "\n")) {
			errs = append(errs, fmt.Errorf("%s: prints\n\t%s\nwhere the README shows\n\t%s", s.at(c.line), bytes.TrimSuffix(out, []byte("\n")), c.trailing))
		}
	}
	if s.Output != nil {
		errs = append(errs, s.Output.compare(svc, stdout.String()))
	}
	for _, group := range slices.Sorted(maps.Keys(answers)) {
		errs = append(errs, s.checkStatuses(group, answers[group]))
	}
	return errors.Join(errs...)
}

// at names a line of the block by file and line.
func (s *Script) at(line int) string { return fmt.Sprintf("%s:%d", s.File, s.Line+line) }

// compare checks the lines printed against the lines of the block.
func (b *Block) compare(svc Service, printed string) error {
	want := strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n")
	got := strings.Split(strings.TrimSuffix(printed, "\n"), "\n")
	for i := range got {
		got[i] = strings.TrimSuffix(got[i], "\r") // as a terminal shows curl -i's headers
	}
	var errs []error
	for i := range max(len(want), len(got)) {
		w, g := "(nothing)", "(nothing)"
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if i >= len(want) || i >= len(got) || !svc.matches(w, g) {
			errs = append(errs, fmt.Errorf("%s:%d: the commands print\n\t%s\nwhere the README shows\n\t%s", b.File, b.Line+1+i, g, w))
		}
	}
	return errors.Join(errs...)
}

// statusCode matches a status code in a comment.
var statusCode = regexp.MustCompile(`\b[1-5][0-9][0-9]\b`)

// An answer is the status of a curl request, and the line of its command.
type answer struct{ line, status int }

// checkStatuses checks the statuses answered to the curl requests under a
// comment paragraph: each is one the comment names, and each it names is
// answered; with none named, each is a 2xx.
func (s *Script) checkStatuses(group int, answers []answer) error {
	var named []int
	comment := "no comment"
	if group > 0 {
		comment = "the comment " + strconv.Quote(strings.TrimSpace(s.groups[group-1]))
		for _, code := range statusCode.FindAllString(s.groups[group-1], -1) {
			n, _ := strconv.Atoi(code)
			named = append(named, n)
		}
	}
	var errs []error
	for _, a := range answers {
		if len(named) == 0 && a.status/100 != 2 || len(named) > 0 && !slices.Contains(named, a.status) {
			errs = append(errs, fmt.Errorf("%s: answered %d, under %s", s.at(a.line), a.status, comment))
		}
	}
	for _, n := range named {
		if !slices.ContainsFunc(answers, func(a answer) bool { return a.status == n }) {
			errs = append(errs, fmt.Errorf("%s: no curl line under %s is answered %d", s.at(answers[0].line), comment, n))
		}
	}
	return errors.Join(errs...)
}

var (
	// hyphenated matches a word with hyphens, such as a case number.
	hyphenated = regexp.MustCompile(`[A-Za-z]+(?:-[0-9A-Za-z]+)+`)
	// timestamp matches an RFC 3339 time.
	timestamp = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`)
	// date matches a date as YYYY-MM-DD.
	date = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
)

// matches reports whether got is what want shows, but for the case
// numbers, times and dates that differ from run to run and the text that
// a … in want stands for.
func (svc Service) matches(want, got string) bool {
	pieces := strings.Split(svc.shape(want), "…")
	for i, p := range pieces {
		pieces[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^` + strings.Join(pieces, `.*`) + `$`).MatchString(svc.shape(got))
}

// shape replaces the case numbers, times and dates of s by placeholders.
func (svc Service) shape(s string) string {
	s = hyphenated.ReplaceAllStringFunc(s, func(w string) string {
		if svc.Number(w) {
			return "<case number>"
		}
		return w
	})
	s = timestamp.ReplaceAllString(s, "<time>")
	return date.ReplaceAllString(s, "<date>")
}
