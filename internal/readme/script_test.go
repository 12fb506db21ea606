package readme

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// items is a service for the tests: POST /items stores an item and
// answers 201 with its number, GET /items/{n} answers 200 with it as JSON,
// and GET /echo echoes the request.
func items(t *testing.T) Service {
	t.Helper()
	var stored []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		stored = append(stored, r.FormValue("name"))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "ITEM-%d\n", len(stored))
	})
	mux.HandleFunc("GET /items/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(strings.ToUpper(r.PathValue("n")), "ITEM-%d", &n); err != nil || n < 1 || n > len(stored) {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"number":"ITEM-%d","name":%q}`+"\n", n, stored[n-1])
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s %q\n", r.Method, r.RequestURI, r.Header.Get("Content-Type"), body)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	number := regexp.MustCompile(`^ITEM-[0-9]+$`)
	return Service{Addr: srv.Listener.Addr().String(), Names: []string{"localhost:8080"}, Number: number.MatchString}
}

// itemsScript reads a block of the README of the program ./items.
func itemsScript(t *testing.T, text, output string) *Script {
	t.Helper()
	var out *Block
	if output != "" {
		out = &Block{File: "items/README.md", Line: 20, Info: "text", Text: output}
	}
	s, err := newScript(Block{File: "items/README.md", Line: 10, Info: "sh", Text: text}, out)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A script runs as a shell runs it: variables, substitutions, pipelines
// through sed and tr, and curl's options, with what it prints compared
// line by line but for the numbers minted.
func TestScriptRuns(t *testing.T) {
	t.Parallel()
	s := itemsScript(t, `# Store an item: 201
ITEM=$(curl -s -X POST localhost:8080/items \
  -d name=pen |
  sed -n 's/^\(ITEM-[0-9]*\)$/\1/p')
echo "$ITEM"

# Read it back as typed
curl -s "localhost:8080/items/$(echo "$ITEM" | tr A-Z a-z)"
curl -s -G localhost:8080/echo --data-urlencode 'q=a b&c' -d x=1
curl -sd 'a=1' -d b=2 http://localhost:8080/echo
curl -s -H 'Content-Type: application/json' -d '' localhost:8080/echo
curl -si -XPUT localhost:8080/echo
`, `ITEM-7
{"number":"ITEM-7","name":"pen"}
GET /echo?q=a%20b%26c&x=1  ""
POST /echo application/x-www-form-urlencoded "a=1&b=2"
POST /echo application/json ""
HTTP/1.1 200 OK
Date: …
Content-Length: 14
Content-Type: text/plain; charset=utf-8

PUT /echo  ""
`)
	if err := s.Run(items(t)); err != nil {
		t.Error(err)
	}
}

// What a script prints, or the status it is answered, other than the
// README shows, and any line it cannot run as a shell would, is an error
// that names the line.
func TestScriptFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, output, want string }{
		{"curl -s -d name=pen localhost:8080/items # ITEM-1\n", "", ""},
		{"curl -s -d name=pen localhost:8080/items # the item\n", "", "items/README.md:11: prints\n\tITEM-1\nwhere the README shows\n\tthe item"},
		{"curl -s localhost:8080/items/ITEM-1\n", `{"error":"not found"}` + "\n", "items/README.md:11: answered 404, under no comment"},
		{"# 200 or 404\ncurl -s localhost:8080/items/ITEM-1\n", `{"error":"not found"}` + "\n", "items/README.md:12: no curl line under the comment \"200 or 404\" is answered 200"},
		{"curl -s localhost:8080/items/ITEM-1\n", "a\nb\n", "items/README.md:21: the commands print\n\t{\"error\":\"not found\"}\nwhere the README shows\n\ta"},
		{"curl -s localhost:8080/items/ITEM-1\n", "a\nb\n", "items/README.md:22: the commands print\n\t(nothing)\nwhere the README shows\n\tb"},
		{"curl -k localhost:8080/items # x\n", "", "curl: option -k is not supported here"},
		{"curl -s 127.0.0.1:8080/items # x\n", "", "127.0.0.1:8080 is not where the program listens (localhost:8080)"},
		{"A=1\ncurl -s localhost:8080/items/$A # x\n", "", "items/README.md:12: an expansion outside double quotes is split into words; quote it"},
		{"curl -s \"localhost:8080/items/$B\" # x\n", "", "$B is not set"},
		{"curl -s localhost:8080/items | jq . # x\n", "", "jq: not a command the README tests run"},
	} {
		err := itemsScript(t, tc.text, tc.output).Run(items(t))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: %v\nwant an error with %q", tc.text, err, tc.want)
		}
	}
}

// A block that a shell would run otherwise than the tests can is refused
// when read.
func TestScriptRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, info, text, want string }{
		{"items/README.md", "sh", "curl localhost:8080/items && echo ok\n", `"&&" is not supported`},
		{"items/README.md", "sh", "curl localhost:8080/items > out\n", `">" is not supported`},
		{"items/README.md", "sh", "echo `curl localhost:8080/items`\n", "backquote"},
		{"items/README.md", "sh", "curl 'localhost:8080/items\n", "a ' is not closed"},
		{"items/README.md", "sh", "A=$(curl localhost:8080/items\n", "$( is not closed"},
		{"items/README.md", "sh", "curl localhost:8080/items\n", "items/README.md:2: nothing shows what the command prints"},
		{"items/README.md", "", "curl localhost:8080/items # x\n", `a block with curl lines is marked ""`},
		{"items/README.md", "sh", "python3 -m http.server &\ncurl localhost:8080/items # x\n", "only go run ./<program> may run in the background"},
		{"README.md", "sh", "curl localhost:8080/items # x\n", "starts no program"},
	} {
		_, err := newScript(Block{File: tc.name, Line: 1, Info: tc.info, Text: tc.text}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.text, err, tc.want)
		}
	}
	s, err := newScript(Block{File: "README.md", Line: 1, Info: "sh", Text: "go run ./items -v &\ncurl localhost:8080/items # x\n"}, nil)
	if err != nil || s.Program != "./items" || !slices.Equal(s.Args, []string{"-v"}) {
		t.Errorf("go run ./items -v &: %+v, %v", s, err)
	}
}

func TestSed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ args, in, want string }{
		{`s/-/%20/g`, "CASE-1-2\n", "CASE%201%202\n"},
		{`s/-/+/`, "a-b-c\nd\n", "a+b-c\nd\n"},
		{`-n s/.*"n":"\([^"]*\)".*/\1/p`, `{"n":"A-1","m":2}` + "\nnone\n", "A-1\n"},
		{`s/\(a\)(b)/&\1/`, "a(b)\n", "a(b)a\n"},
		{`s|x|$y|g`, "xx", "$y$y"},
	} {
		args := strings.SplitN(tc.args, " ", 2)
		if !strings.HasPrefix(tc.args, "-n ") {
			args = []string{tc.args}
		}
		out, err := sed(args, []byte(tc.in))
		if err != nil || string(out) != tc.want {
			t.Errorf("sed %s on %q = %q, %v; want %q", tc.args, tc.in, out, err, tc.want)
		}
	}
	for _, args := range [][]string{{"-E", "s/a/b/"}, {"y/ab/cd/"}, {"s/a/b/i"}, {`s/a\{2\}/b/`}} {
		if _, err := sed(args, nil); err == nil {
			t.Errorf("sed %q: no error", args)
		}
	}
}

func TestTr(t *testing.T) {
	t.Parallel()
	if out, err := tr([]string{"A-Z", "a-z"}, []byte("CASE-20250929-7KQ2M9Z\n")); err != nil || string(out) != "case-20250929-7kq2m9z\n" {
		t.Errorf("tr A-Z a-z = %q, %v", out, err)
	}
	if out, err := tr([]string{"abc", "x"}, []byte("abcd")); err != nil || string(out) != "xxxd" {
		t.Errorf("tr abc x = %q, %v", out, err)
	}
	for _, args := range [][]string{{"-d", "a"}, {"[:upper:]", "[:lower:]"}, {"a"}} {
		if _, err := tr(args, nil); err == nil {
			t.Errorf("tr %q: no error", args)
		}
	}
}

// The parser refuses what it cannot run as a shell would, and joins a
// word's parts as a shell does; no README shows these, so they are pinned
// here.
func TestShellParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, want string }{
		{"go run ./items & curl x\n", "a command after & on the same line"},
		{"echo a |\n\n", "a pipeline ends with |"},
		{"echo a | | echo b\n", "a pipeline ends with |"},
		{"&\n", "a command is empty"},
		{"echo a\\", `a \ ends the script`},
		{`echo "a`, `a " is not closed`},
		{"echo a || echo b\n", `"||" is not supported`},
		{"A=$(echo a &)\n", `"&" is not supported`},
		{"echo a)\n", `")" is not supported`},
		{"echo \"`a`\"\n", "backquotes"},
		{"echo ${A-b}\n", "only ${name} is supported"},
	} {
		if _, _, _, err := parseShell(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.text, err, tc.want)
		}
	}
	s, _, _, err := parseShell("echo a\\ b\\\nc'd\ne'\"f\\$$A${B}$(echo g)\"$ # x\n")
	if err != nil || len(s.cmds) != 1 || len(s.cmds[0].stages) != 1 || len(s.cmds[0].stages[0]) != 2 {
		t.Fatalf("parsed %+v, %v; want one command of two words", s, err)
	}
	w := slices.Clone(s.cmds[0].stages[0][1])
	sub := w[3].subst
	w[3].subst = nil
	want := word{{text: "a bcd\nef$"}, {name: "A", quoted: true}, {name: "B", quoted: true}, {quoted: true}, {text: "$"}}
	if !slices.Equal(w, want) || s.cmds[0].trailing != "x" {
		t.Errorf("parsed %+v, trailing %q; want %+v, trailing \"x\"", w, s.cmds[0].trailing, want)
	}
	if sub == nil || len(sub.cmds) != 1 || !slices.Equal(sub.cmds[0].stages[0][1], word{{text: "g"}}) {
		t.Errorf("$(echo g) parsed as %+v", sub)
	}
}
