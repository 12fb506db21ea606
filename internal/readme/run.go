package readme

import (
	"fmt"
	"regexp"
	"strings"
)

// runner runs a script's commands: echo, curl, sed and tr, the ones the
// READMEs use, as a shell would.
type runner struct {
	svc      Service
	vars     map[string]string
	statuses []int // the statuses of the curl answers of the command running
}

// assignment matches the start of a word that assigns a variable.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// assigns reports whether c assigns a variable, as in NAME=value.
func (c *command) assigns() bool {
	first := c.stages[0][0]
	return len(c.stages) == 1 && len(c.stages[0]) == 1 && first[0].name == "" &&
		first[0].subst == nil && assignment.MatchString(first[0].text)
}

// command runs c and returns what it prints.
func (r *runner) command(c *command) ([]byte, error) {
	if c.assigns() {
		first := c.stages[0][0]
		name, text, _ := strings.Cut(first[0].text, "=")
		value, err := r.expand(append(word{{text: text}}, first[1:]...), true)
		r.vars[name] = value
		return nil, err
	}
	var out []byte
	for i, stage := range c.stages {
		args := make([]string, len(stage))
		for j, w := range stage {
			var err error
			if args[j], err = r.expand(w, false); err != nil {
				return nil, err
			}
		}
		var err error
		if out, err = r.run(args, out, i == 0); err != nil {
			return nil, fmt.Errorf("%s: %w", args[0], err)
		}
	}
	return out, nil
}

// expand returns the text of w. An expansion outside double quotes is
// refused but in an assignment, where a shell does not split it either.
func (r *runner) expand(w word, assign bool) (string, error) {
	var b strings.Builder
	for _, p := range w {
		switch {
		case p.name == "" && p.subst == nil:
			b.WriteString(p.text)
			continue
		case !p.quoted && !assign:
			return "", fmt.Errorf("an expansion outside double quotes is split into words; quote it")
		case p.subst != nil:
			var out []byte
			for _, c := range p.subst.cmds {
				o, err := r.command(c)
				if err != nil {
					return "", err
				}
				out = append(out, o...)
			}
			b.WriteString(strings.TrimRight(string(out), "\n"))
		default:
			v, ok := r.vars[p.name]
			if !ok {
				return "", fmt.Errorf("$%s is not set", p.name)
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// run runs one command of a pipeline with stdin, the output of the one
// before it.
func (r *runner) run(args []string, stdin []byte, first bool) ([]byte, error) {
	switch args[0] {
	case "echo":
		if len(args) > 1 && strings.HasPrefix(args[1], "-") {
			return nil, fmt.Errorf("options are not supported")
		}
		return []byte(strings.Join(args[1:], " ") + "\n"), nil
	case "curl":
		if !first {
			return nil, fmt.Errorf("curl reads no input here")
		}
		return r.curl(args[1:])
	case "sed":
		return sed(args[1:], stdin)
	case "tr":
		return tr(args[1:], stdin)
	}
	return nil, fmt.Errorf("not a command the README tests run; teach internal/readme what it does")
}

// sed runs sed -n? 's/regexp/replacement/flags' with the flags g and p,
// the regexp in POSIX basic syntax.
func sed(args []string, stdin []byte) ([]byte, error) {
	s, err := parseSed(args)
	if err != nil {
		return nil, err
	}
	var out strings.Builder
	for _, line := range strings.SplitAfter(string(stdin), "\n") {
		if line != "" {
			s.edit(&out, line)
		}
	}
	return []byte(out.String()), nil
}

// A substitution is sed's s command and its options.
type substitution struct {
	re    *regexp.Regexp
	repl  string // in the syntax of regexp.Expand
	all   bool   // the flag g: every match of a line is replaced
	print bool   // the flag p: a line replaced is printed
	quiet bool   // -n: a line is printed only by p
}

// parseSed reads the arguments of sed.
func parseSed(args []string) (*substitution, error) {
	quiet := len(args) > 0 && args[0] == "-n"
	if quiet {
		args = args[1:]
	}
	if len(args) != 1 || len(args[0]) < 4 || args[0][0] != 's' {
		return nil, fmt.Errorf("only sed [-n] s/regexp/replacement/flags is supported")
	}
	fields := strings.Split(args[0][2:], args[0][1:2])
	if len(fields) != 3 || strings.Trim(fields[2], "gp") != "" {
		return nil, fmt.Errorf("%q: only s/regexp/replacement/ with the flags g and p is supported", args[0])
	}
	re, err := basicRegexp(fields[0])
	if err != nil {
		return nil, err
	}
	return &substitution{
		re:    re,
		repl:  basicReplacement(fields[1]),
		all:   strings.Contains(fields[2], "g"),
		print: strings.Contains(fields[2], "p"),
		quiet: quiet,
	}, nil
}

// edit writes what sed prints for one line of its input, which ends with
// a newline unless it is the last.
func (s *substitution) edit(out *strings.Builder, line string) {
	text, nl := strings.CutSuffix(line, "\n")
	done := text
	m := s.re.FindStringSubmatchIndex(text)
	switch {
	case m != nil && s.all:
		done = s.re.ReplaceAllString(text, s.repl)
	case m != nil:
		done = text[:m[0]] + string(s.re.ExpandString(nil, s.repl, text, m)) + text[m[1]:]
	}
	end := map[bool]string{true: "\n"}[nl]
	if !s.quiet {
		out.WriteString(done + end)
	}
	if s.print && m != nil {
		out.WriteString(done + end)
	}
}

// basicRegexp compiles a POSIX basic regular expression: \( and \) group,
// ( ) { } + ? | are literal.
func basicRegexp(bre string) (*regexp.Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(bre); i++ {
		switch c := bre[i]; {
		case c == '\\' && i+1 < len(bre):
			i++
			switch bre[i] {
			case '(', ')':
				b.WriteByte(bre[i])
			case '{', '}', '1', '2', '3', '4', '5', '6', '7', '8', '9':
				return nil, fmt.Errorf("%q: \\%c is not supported", bre, bre[i])
			default:
				b.WriteString(regexp.QuoteMeta(bre[i : i+1]))
			}
		case c == '[':
			end := -1
			if i+2 < len(bre) {
				end = strings.IndexByte(bre[i+2:], ']') // a ] first in the set is literal
			}
			if end < 0 {
				return nil, fmt.Errorf("%q: a [ is not closed", bre)
			}
			b.WriteString(strings.ReplaceAll(bre[i:i+3+end], `\`, `\\`))
			i += 2 + end
		case strings.IndexByte("(){}+?|", c) >= 0:
			b.WriteString(`\` + string(c))
		default:
			b.WriteByte(c)
		}
	}
	return regexp.CompilePOSIX(b.String())
}

// basicReplacement turns sed's \1 and & into Go's ${1} and ${0}.
func basicReplacement(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			if '0' <= s[i] && s[i] <= '9' {
				b.WriteString("${" + s[i:i+1] + "}")
			} else {
				b.WriteString(strings.ReplaceAll(s[i:i+1], "$", "$$"))
			}
		case c == '&':
			b.WriteString("${0}")
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tr runs tr set1 set2, whose sets are characters and ranges such as A-Z.
func tr(args []string, stdin []byte) ([]byte, error) {
	if len(args) != 2 || strings.HasPrefix(args[0], "-") || strings.ContainsAny(args[0]+args[1], `[\`) {
		return nil, fmt.Errorf("only tr set1 set2 with characters and ranges is supported")
	}
	from, to := trSet(args[0]), trSet(args[1])
	if len(to) == 0 {
		return nil, fmt.Errorf("set2 is empty")
	}
	out := []byte(string(stdin))
	for i, c := range out {
		if j := strings.IndexByte(from, c); j >= 0 {
			out[i] = to[min(j, len(to)-1)] // a shorter set2 repeats its last character
		}
	}
	return out, nil
}

// trSet expands the ranges of a tr set.
func trSet(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i+2 < len(s) && s[i+1] == '-' && s[i] <= s[i+2] {
			for c := int(s[i]); c <= int(s[i+2]); c++ {
				b.WriteByte(byte(c))
			}
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
