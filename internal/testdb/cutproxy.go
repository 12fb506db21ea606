package testdb

import (
	"bytes"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// CutProxy forwards TCP connections to a database server and, once armed,
// loses a reply: it forwards the first client message that holds the
// marker, waits for the server to carry it out, and closes both sides
// without forwarding the answer. That is a connection lost after a
// statement was sent, the case whose outcome a client cannot know.
type CutProxy struct {
	ln     net.Listener
	target string
	marker []byte
	armed  atomic.Bool
	cuts   atomic.Int32
}

// NewCutProxy listens on a loopback port for connections to target
// (host:port) and loses the reply to a message holding marker, in any
// letter case, when armed.
// It closes when the test ends.
func NewCutProxy(t testing.TB, target, marker string) *CutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testdb: proxy: %v", err)
	}
	p := &CutProxy{ln: ln, target: target, marker: bytes.ToUpper([]byte(marker))}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

// Addr is the proxy's host:port; Via rewrites a DSN to go through it.
func (p *CutProxy) Addr() string { return p.ln.Addr().String() }

// Via returns dsn with the target's host:port replaced by the proxy's.
func (p *CutProxy) Via(dsn string) string { return strings.Replace(dsn, p.target, p.Addr(), 1) }

// Arm makes the proxy lose the reply to the next message holding the marker.
func (p *CutProxy) Arm() { p.armed.Store(true) }

// Cuts is how many replies the proxy has lost.
func (p *CutProxy) Cuts() int { return int(p.cuts.Load()) }

func (p *CutProxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	var cut atomic.Bool
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && !cut.Load() {
				_, _ = client.Write(buf[:n])
			}
			if err != nil {
				_ = client.Close()
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			msg := buf[:n]
			if bytes.Contains(bytes.ToUpper(msg), p.marker) && p.armed.CompareAndSwap(true, false) {
				cut.Store(true)
				_, _ = server.Write(msg)
				time.Sleep(300 * time.Millisecond) // the server carries it out
				p.cuts.Add(1)
				_ = client.Close()
				_ = server.Close()
				return
			}
			_, _ = server.Write(msg)
		}
		if err != nil {
			_ = server.Close()
			return
		}
	}
}
