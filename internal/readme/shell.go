package readme

import (
	"fmt"
	"strings"
)

// The shell a README's lines are written in, as far as they use it:
// commands in pipelines, single and double quotes, backslash line
// continuations, variables and $(...) substitutions, assignments, comments,
// and one command run in the background. Anything else (redirections, &&,
// backquotes, unquoted expansions) is refused, so that a README line is
// never run differently from the way a shell would run it.

// A script is a sequence of commands: a block, or the inside of $(...).
type script struct{ cmds []*command }

// A command is a pipeline of simple commands.
type command struct {
	line       int      // the line of the block it starts on, from 1
	group      int      // the comment paragraph it follows, from 1; 0 for none
	trailing   string   // the comment at the end of its line, "" for none
	stages     [][]word // the pipeline's commands, each a list of words
	background bool     // it ends with &
}

// A word is one argument, made of parts written side by side.
type word []part

// A part is literal text, a variable or a command substitution.
type part struct {
	text   string  // literal text
	name   string  // the variable of $name or ${name}
	subst  *script // the script of $(...)
	quoted bool    // the variable or substitution is within double quotes
}

// shellParser reads a shell script.
type shellParser struct {
	src    string
	pos    int
	line   int      // the line at pos, from 1
	groups []string // the comment paragraphs seen, in order
}

// parseShell reads the shell script src, and returns its commands and
// comment paragraphs, or an error and the line of src it concerns.
func parseShell(src string) (s *script, groups []string, line int, err error) {
	p := &shellParser{src: src, line: 1}
	if s, err = p.script(false); err != nil {
		return nil, nil, p.line, err
	}
	return s, p.groups, 0, nil
}

func (p *shellParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *shellParser) next() byte {
	c := p.src[p.pos]
	p.pos++
	if c == '\n' {
		p.line++
	}
	return c
}

// blanks skips spaces, tabs and backslash-newline continuations.
func (p *shellParser) blanks() {
	for {
		switch {
		case p.peek() == ' ' || p.peek() == '\t':
			p.next()
		case strings.HasPrefix(p.src[p.pos:], "\\\n"):
			p.next()
			p.next()
		default:
			return
		}
	}
}

// comment reads a comment to the end of its line, the newline excluded.
func (p *shellParser) comment() string {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	if end < 0 {
		end = len(p.src) - p.pos
	}
	text := p.src[p.pos+1 : p.pos+end]
	p.pos += end
	return strings.TrimSpace(text)
}

// script reads commands up to the end of the input, or up to the ) that
// closes a $( when inSubst.
func (p *shellParser) script(inSubst bool) (*script, error) {
	s := &script{}
	group, commentLine := 0, 0
	for {
		p.blanks()
		switch c := p.peek(); {
		case c == 0:
			if inSubst {
				return nil, fmt.Errorf("$( is not closed")
			}
			return s, nil
		case c == ')' && inSubst:
			p.next()
			return s, nil
		case c == '\n' || c == ';':
			p.next()
		case c == '#' && inSubst:
			p.comment()
		case c == '#':
			// Comment lines one under the other make one paragraph.
			if group == 0 || commentLine != p.line-1 {
				p.groups = append(p.groups, "")
				group = len(p.groups)
			}
			commentLine = p.line
			p.groups[group-1] += p.comment() + "\n"
		default:
			cmd, err := p.command(inSubst)
			if err != nil {
				return nil, err
			}
			cmd.group = group
			s.cmds = append(s.cmds, cmd)
		}
	}
}

// What the character at the start of a token begins, within a command.
type tokenKind int

const (
	tokenWord       tokenKind = iota // a word
	tokenEnd                         // the end of the command
	tokenPipe                        // a | between the commands of a pipeline
	tokenBackground                  // a & after the command
	tokenComment                     // a comment to the end of the line
	tokenRefused                     // an operator the tests do not run
)

// kind tells what the character at pos begins.
func (p *shellParser) kind(inSubst bool) tokenKind {
	switch c := p.peek(); {
	case c == 0 || c == '\n' || c == ';' || (c == ')' && inSubst):
		return tokenEnd
	case c == '|' && !strings.HasPrefix(p.src[p.pos:], "||"):
		return tokenPipe
	case c == '&' && !strings.HasPrefix(p.src[p.pos:], "&&") && !inSubst:
		return tokenBackground
	case c == '#':
		return tokenComment
	case strings.IndexByte("`|&<>()", c) >= 0:
		return tokenRefused
	}
	return tokenWord
}

// command reads a pipeline, an & after it and a comment at its end.
func (p *shellParser) command(inSubst bool) (*command, error) {
	cmd := &command{line: p.line}
	var words []word
	for {
		p.blanks()
		var err error
		switch p.kind(inSubst) {
		case tokenEnd:
			if err = cmd.end(words); err == nil {
				return cmd, nil
			}
		case tokenPipe:
			err = p.pipe(cmd, words)
			words = nil
		case tokenBackground:
			err = p.background(cmd)
		case tokenComment:
			cmd.trailing = p.comment()
		case tokenRefused:
			err = p.refused()
		default:
			var w word
			w, err = p.word()
			words = append(words, w)
		}
		if err != nil {
			return nil, err
		}
	}
}

// pipe reads a | and the line ends after it, where the pipeline goes on.
func (p *shellParser) pipe(cmd *command, words []word) error {
	p.next()
	if err := cmd.add(words); err != nil {
		return err
	}
	for p.blanks(); p.peek() == '\n'; p.blanks() {
		p.next()
	}
	return nil
}

// background reads the & that ends a command run in the background.
func (p *shellParser) background(cmd *command) error {
	p.next()
	cmd.background = true
	if p.blanks(); p.peek() != 0 && p.peek() != '\n' && p.peek() != '#' {
		return fmt.Errorf("a command after & on the same line is not supported")
	}
	return nil
}

// refused returns the error for the operator at pos.
func (p *shellParser) refused() error {
	if p.peek() == '`' {
		return fmt.Errorf("backquotes are not supported; write $(...)")
	}
	op := p.src[p.pos : p.pos+1]
	if strings.HasPrefix(p.src[p.pos+1:], op) {
		op += op
	}
	return fmt.Errorf("%q is not supported", op)
}

// end adds the last simple command to the pipeline, which must have one.
func (c *command) end(words []word) error {
	if err := c.add(words); err != nil {
		return err
	}
	if len(c.stages) == 0 {
		return fmt.Errorf("a command is empty")
	}
	return nil
}

// add appends a simple command to the pipeline.
func (c *command) add(words []word) error {
	if len(words) == 0 {
		if len(c.stages) > 0 {
			return fmt.Errorf("a pipeline ends with |")
		}
		return nil
	}
	c.stages = append(c.stages, words)
	return nil
}

// word reads one word, up to a blank or an operator.
func (p *shellParser) word() (word, error) {
	var w word
	for {
		var err error
		switch c := p.peek(); {
		case c == 0 || strings.IndexByte(" \t\n;|&<>()`", c) >= 0:
			return w, nil
		case c == '\\':
			err = p.escaped(&w)
		case c == '\'':
			err = p.singleQuoted(&w)
		case c == '"':
			err = p.doubleQuoted(&w)
		case c == '$':
			var x part
			x, err = p.dollar(false)
			w = append(w, x)
		default:
			w.lit(string(p.next()))
		}
		if err != nil {
			return nil, err
		}
	}
}

// lit appends literal text to w, joined to the literal text before it.
// Text that is "" is kept as a part, so that ” is a word.
func (w *word) lit(s string) {
	if n := len(*w); n > 0 && (*w)[n-1].name == "" && (*w)[n-1].subst == nil {
		(*w)[n-1].text += s
		return
	}
	*w = append(*w, part{text: s})
}

// escaped reads a backslash and the character it makes literal; a
// backslash-newline joins two lines.
func (p *shellParser) escaped(w *word) error {
	p.next()
	if p.peek() == 0 {
		return fmt.Errorf("a \\ ends the script")
	}
	if e := p.next(); e != '\n' {
		w.lit(string(e))
	}
	return nil
}

// singleQuoted reads '...', all of it literal.
func (p *shellParser) singleQuoted(w *word) error {
	p.next()
	end := strings.IndexByte(p.src[p.pos:], '\'')
	if end < 0 {
		return fmt.Errorf("a ' is not closed")
	}
	text := p.src[p.pos : p.pos+end]
	p.line += strings.Count(text, "\n")
	p.pos += end + 1
	w.lit(text)
	return nil
}

// doubleQuoted reads "...", whose variables and substitutions are not
// split into words.
func (p *shellParser) doubleQuoted(w *word) error {
	p.next()
	parts, err := p.quoted()
	if err != nil {
		return err
	}
	for _, q := range parts {
		if q.name == "" && q.subst == nil {
			w.lit(q.text)
		} else {
			*w = append(*w, q)
		}
	}
	return nil
}

// quoted reads the inside of double quotes, the opening one read.
func (p *shellParser) quoted() ([]part, error) {
	var parts []part
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			parts = append(parts, part{text: text.String()})
			text.Reset()
		}
	}
	for {
		switch c := p.peek(); c {
		case 0:
			return nil, fmt.Errorf(`a " is not closed`)
		case '"':
			p.next()
			flush()
			return parts, nil
		case '\\':
			p.next()
			switch e := p.peek(); e {
			case '$', '"', '\\', '`':
				text.WriteByte(p.next())
			case '\n':
				p.next()
			default:
				text.WriteByte('\\')
			}
		case '$':
			flush()
			x, err := p.dollar(true)
			if err != nil {
				return nil, err
			}
			parts = append(parts, x)
		case '`':
			return nil, fmt.Errorf("backquotes are not supported; write $(...)")
		default:
			text.WriteByte(p.next())
		}
	}
}

// dollar reads $name, ${name} or $(...); a $ before anything else is
// literal.
func (p *shellParser) dollar(quoted bool) (part, error) {
	p.next()
	switch {
	case p.peek() == '(':
		p.next()
		s, err := p.script(true)
		return part{subst: s, quoted: quoted}, err
	case p.peek() == '{':
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 || !isName(p.src[p.pos+1:p.pos+end]) {
			return part{}, fmt.Errorf("only ${name} is supported")
		}
		name := p.src[p.pos+1 : p.pos+end]
		p.pos += end + 1
		return part{name: name, quoted: quoted}, nil
	}
	n := 0
	for n < len(p.src)-p.pos && isName(p.src[p.pos:p.pos+n+1]) {
		n++
	}
	if n == 0 {
		return part{text: "$"}, nil
	}
	p.pos += n
	return part{name: p.src[p.pos-n : p.pos], quoted: quoted}, nil
}

// isName reports whether s is a shell variable name.
func isName(s string) bool {
	for i, c := range s {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}
