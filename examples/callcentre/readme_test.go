package main

import (
	"io"
	"slices"
	"testing"

	"github.com/casemint/casemint/casenum"
	"github.com/casemint/casemint/internal/readme"
)

// The READMEs' curl lines that call this service get the answers the
// READMEs show: run in order against the service as main starts it, with
// the block's arguments, on a fresh SQLite database.
func TestREADMECurlLines(t *testing.T) {
	t.Parallel()
	scripts, err := readme.ScriptsFor("../..", "./examples/callcentre")
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no README block of curl lines calls the call-centre service")
	}
	for _, s := range scripts {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			cfg, err := parseFlags(s.Args, io.Discard)
			if err != nil || cfg.selftest > 0 {
				t.Fatalf("%q does not start the service: %v", s.Args, err)
			}
			var layouts []*casenum.Layout
			for _, text := range []string{cfg.layout, cfg.fallback} {
				if text == "" {
					continue
				}
				l, err := casenum.ParseLayout(text)
				if err != nil {
					t.Fatal(err)
				}
				layouts = append(layouts, l)
			}
			svc := readme.Service{
				Addr:  startService(t, s.Args...),
				Names: []string{cfg.addr},
				Number: func(n string) bool {
					return slices.ContainsFunc(layouts, func(l *casenum.Layout) bool { return l.Validate(n) == nil })
				},
			}
			if err := s.Run(svc); err != nil {
				t.Error(err)
			}
		})
	}
}
