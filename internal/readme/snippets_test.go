package readme

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Every Go snippet of the READMEs is a complete file, its package clause
// and imports included, and compiles: go vet builds each as a package of
// its own, in one module that takes this repository's modules (casemint
// and the adapters) from their directories.
func TestGoSnippetsCompile(t *testing.T) {
	t.Parallel()
	goCmd := goCommand(t)
	dir := t.TempDir()
	var snippets []Block
	for _, name := range Files {
		blocks, err := Blocks(root, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if b.Info != "go" {
				continue
			}
			// Blank lines before the snippet make every position a line
			// of the README.
			text := strings.Repeat("\n", b.Line) + b.Text
			f, err := parser.ParseFile(token.NewFileSet(), b.File, text, parser.ImportsOnly)
			if err != nil {
				t.Errorf("a Go snippet is a complete file, its package clause and imports included: %v", err)
				continue
			}
			file := "snippet.go"
			if slices.ContainsFunc(f.Imports, func(i *ast.ImportSpec) bool { return i.Path.Value == `"testing"` }) {
				file = "snippet_test.go"
			}
			snippets = append(snippets, b)
			writeFile(t, filepath.Join(dir, fmt.Sprintf("s%d", len(snippets)), file), text)
		}
	}
	if len(snippets) == 0 {
		t.Fatal("the READMEs hold no Go snippet")
	}
	writeModule(t, dir)
	cmd := exec.Command(goCmd, "vet", "-mod=mod", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go vet of the READMEs' Go snippets: %v\n%s", err, inREADME(string(out), dir, snippets))
	}
}

// goCommand returns the go command, or skips the test without one (fails
// it under CI=true).
func goCommand(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("go")
	if err != nil {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatalf("the go command, which compiles the READMEs' snippets, is not on PATH: %v", err)
		}
		t.Skipf("the go command, which compiles the READMEs' snippets, is not on PATH: %v", err)
	}
	return path
}

// writeModule writes the go.mod and go.sum of the snippets' module: it
// requires every module of the repository but the tooling under internal/,
// each replaced by its directory, with their go.sum lines.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	top, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	var mod, sum strings.Builder
	err = filepath.WalkDir(top, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || path == filepath.Join(top, "internal")):
			return fs.SkipDir
		case d.Name() != "go.mod":
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		module := regexp.MustCompile(`(?m)^module (\S+)`).FindSubmatch(src)
		if module == nil {
			return fmt.Errorf("%s names no module", path)
		}
		if filepath.Dir(path) == top {
			fmt.Fprintf(&mod, "module snippets\n\n%s\n", regexp.MustCompile(`(?m)^go \S+$`).Find(src))
		}
		fmt.Fprintf(&mod, "require %s v0.0.0\nreplace %[1]s => %s\n", module[1], filepath.Dir(path))
		s, err := os.ReadFile(filepath.Join(filepath.Dir(path), "go.sum"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		sum.Write(s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "go.mod"), mod.String())
	writeFile(t, filepath.Join(dir, "go.sum"), sum.String())
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// snippetFile matches the file of a snippet as go vet names it.
var snippetFile = regexp.MustCompile(`(?:\./)?s(\d+)/snippet(?:_test)?\.go`)

// inREADME names the READMEs in go vet's output in place of the snippets'
// files, whose lines are the READMEs'.
func inREADME(out, dir string, snippets []Block) string {
	out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
	return snippetFile.ReplaceAllStringFunc(out, func(file string) string {
		i, _ := strconv.Atoi(snippetFile.FindStringSubmatch(file)[1])
		return snippets[i-1].File
	})
}
