// Package readme keeps the READMEs true: it reads their fenced code blocks
// and runs their curl lines against a service, for the tests that check
// that every Go snippet compiles, every case number shown validates and
// every curl line gets the answer the README shows.
//
// A shell block that uses curl is a Script. It calls the program that a
// line of its own starts in the background (go run ./examples/quickstart &),
// or else the program whose directory holds the README. What it prints is
// shown either by a ```text block after it, line by line, or by a comment
// at the end of each of its commands. A comment above a command names the
// status codes its curl requests may be answered with; with none named,
// any 2xx.
package readme

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files are the READMEs that the tests keep true, from the repository root.
var Files = []string{"README.md", "examples/callcentre/README.md"}

// A Block is a fenced code block of a README.
type Block struct {
	File string // the README, as given to Blocks
	Line int    // the line of the opening fence, from 1
	Info string // the info string after the fence: "go", "sh", "text" or ""
	Text string // the lines between the fences, each ending in a newline
}

// String names the block by file and line, as compilers name a position.
func (b Block) String() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// Blocks returns the fenced code blocks of the Markdown file name under
// root, in order.
func Blocks(root, name string) ([]Block, error) {
	f, err := os.Open(filepath.Join(root, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks []Block
		open   *Block
		fence  string
		line   int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case open == nil && (strings.HasPrefix(text, "```") || strings.HasPrefix(text, "~~~")):
			fence = text[:len(text)-len(strings.TrimLeft(text, text[:1]))]
			open = &Block{File: name, Line: line, Info: strings.TrimSpace(text[len(fence):])}
		case open != nil && strings.TrimRight(text, " ") == fence:
			blocks = append(blocks, *open)
			open = nil
		case open != nil:
			open.Text += text + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if open != nil {
		return nil, fmt.Errorf("%s: the block is not closed", open)
	}
	return blocks, nil
}
