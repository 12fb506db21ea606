package readme

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// curlRequest is what a curl command line sends.
type curlRequest struct {
	method  string
	host    string // host:port, as the URL names it
	target  string // the path and query, as written: curl sends them unchecked
	headers []string
	body    string
	data    bool // the body is data, which Content-Length states even when empty
	include bool // -i: print the status line and headers too
}

// answerTime bounds the wait for an answer, so that a service that never
// answers fails the test instead of hanging it.
const answerTime = time.Minute

// curl sends the request of curl's arguments to the service, as curl
// would, and returns what curl prints.
func (r *runner) curl(args []string) ([]byte, error) {
	req, err := parseCurl(args)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(r.svc.Names, req.host) {
		return nil, fmt.Errorf("%s is not where the program listens (%s)", req.host, strings.Join(r.svc.Names, ", "))
	}
	conn, err := net.Dial("tcp", r.svc.Addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(answerTime)); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(conn, req.String()); err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	resp, err := http.ReadResponse(bufio.NewReader(io.TeeReader(conn, &raw)), &http.Request{Method: req.method})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r.statuses = append(r.statuses, resp.StatusCode)
	if !req.include {
		return body, nil
	}
	head, _, _ := bytes.Cut(raw.Bytes(), []byte("\r\n\r\n"))
	return append(append(head, "\r\n\r\n"...), body...), nil
}

// curlFlags are the options of curl known here that take no value, and
// curlValues those that take one, each by its short name.
var (
	curlFlags  = map[string]string{"-s": "-s", "--silent": "-s", "-i": "-i", "--include": "-i", "-G": "-G", "--get": "-G"}
	curlValues = map[string]string{"-X": "-X", "--request": "-X", "-H": "-H", "--header": "-H",
		"-d": "-d", "--data": "-d", "--data-ascii": "-d", "--data-raw": "--data-raw", "--data-urlencode": "--data-urlencode"}
)

// parseCurl reads curl's arguments. An option not known here is an error,
// so that no README line is run other than as curl runs it.
func parseCurl(args []string) (*curlRequest, error) {
	opts, urls, err := curlOptions(args)
	if err != nil {
		return nil, err
	}
	if len(urls) != 1 {
		return nil, fmt.Errorf("%d URLs; one is supported", len(urls))
	}
	req := &curlRequest{}
	var (
		data   []string
		get    bool
		method string
	)
	for _, o := range opts {
		switch name, value := o[0], o[1]; name {
		case "-i":
			req.include = true
		case "-G":
			get = true
		case "-X":
			method = value
		case "-H":
			if !strings.Contains(value, ":") {
				return nil, fmt.Errorf("header %q has no colon", value)
			}
			req.headers = append(req.headers, value)
		case "--data-urlencode":
			data = append(data, urlencode(value))
		case "--data-raw":
			data = append(data, value)
		case "-d":
			if strings.HasPrefix(value, "@") {
				return nil, fmt.Errorf("data from a file (%s) is not supported", value)
			}
			data = append(data, value)
		}
	}
	if err := req.setURL(urls[0]); err != nil {
		return nil, err
	}
	req.setData(data, get, method)
	return req, nil
}

// curlOptions splits curl's arguments into options, each by its short
// name with its value, and URLs. Short options may be written together,
// as in -si, -XPOST or -sd 'a=1'.
func curlOptions(args []string) (opts [][2]string, urls []string, err error) {
	// add adds the option name, whose value, if it takes one, is attached
	// or else the next argument; it returns whether it took a value.
	add := func(name, attached string, i *int) (bool, error) {
		if f, ok := curlFlags[name]; ok {
			opts = append(opts, [2]string{f, ""})
			return false, nil
		}
		short, ok := curlValues[name]
		if !ok {
			return false, fmt.Errorf("option %s is not supported here; teach internal/readme what it does", name)
		}
		if attached == "" {
			if *i++; *i == len(args) {
				return false, fmt.Errorf("option %s needs a value", name)
			}
			attached = args[*i]
		}
		opts = append(opts, [2]string{short, attached})
		return true, nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case !strings.HasPrefix(a, "-") || a == "-":
			urls = append(urls, a)
		case strings.HasPrefix(a, "--"):
			if _, err := add(a, "", &i); err != nil {
				return nil, nil, err
			}
		default:
			for j := 1; j < len(a); j++ {
				took, err := add("-"+a[j:j+1], a[j+1:], &i)
				if err != nil {
					return nil, nil, err
				}
				if took {
					break
				}
			}
		}
	}
	return opts, urls, nil
}

// urlencode encodes the content of --data-urlencode's [name]=content as
// curl does: every byte but letters, digits and -._~ as %XX.
func urlencode(value string) string {
	name, content, ok := strings.Cut(value, "=")
	if !ok {
		name, content = "", value
	}
	var b strings.Builder
	if name != "" {
		b.WriteString(name + "=")
	}
	for _, c := range []byte(content) {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// setURL reads an http URL, with or without its scheme.
func (req *curlRequest) setURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("no URL")
	}
	rest := strings.TrimPrefix(raw, "http://")
	if strings.Contains(rest, "://") {
		return fmt.Errorf("%q: only http URLs are supported", raw)
	}
	if strings.ContainsAny(rest, "[]{}") {
		return fmt.Errorf("%q: curl reads [ ] { } as a glob", raw)
	}
	i := strings.IndexAny(rest, "/?")
	if i < 0 {
		i = len(rest)
	}
	req.host, req.target = rest[:i], rest[i:]
	if !strings.HasPrefix(req.target, "/") {
		req.target = "/" + req.target
	}
	return nil
}

// setData puts the data in the body of a POST, or with -G in the query of
// a GET, and sets the method -X names.
func (req *curlRequest) setData(data []string, get bool, method string) {
	req.method = "GET"
	joined := strings.Join(data, "&")
	switch {
	case len(data) > 0 && get:
		sep := "?"
		if strings.Contains(req.target, "?") {
			sep = "&"
		}
		req.target += sep + joined
	case len(data) > 0:
		req.method, req.body, req.data = "POST", joined, true
		if !req.has("Content-Type") {
			req.headers = append(req.headers, "Content-Type: application/x-www-form-urlencoded")
		}
	}
	if method != "" {
		req.method = method
	}
}

// has reports whether a header of that name was given with -H.
func (req *curlRequest) has(name string) bool {
	return slices.ContainsFunc(req.headers, func(h string) bool {
		n, _, _ := strings.Cut(h, ":")
		return strings.EqualFold(strings.TrimSpace(n), name)
	})
}

// String returns the request as curl writes it.
func (req *curlRequest) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", req.method, req.target)
	for _, h := range []string{"Host: " + req.host, "User-Agent: curl", "Accept: */*"} {
		if name, _, _ := strings.Cut(h, ":"); !req.has(name) {
			b.WriteString(h + "\r\n")
		}
	}
	for _, h := range req.headers {
		b.WriteString(h + "\r\n")
	}
	if req.data {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(req.body))
	}
	b.WriteString("\r\n" + req.body)
	return b.String()
}
