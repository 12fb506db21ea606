package casenum

import (
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

const (
	checkDigits = "0123456789"
	// checkSymbolBytes is every byte that crockfordValue accepts.
	checkSymbolBytes = "0123456789ABCDEFGHIJKLMNOPQRSTVWXYZabcdefghijklmnopqrstvwxyz"
	// checkAlnumBody is what {alnum} and {hex} parts render, plus the look-alikes
	// a person may type.
	checkAlnumBody = crockford + "abcdef" + "ILOilo"
)

// damm10 returns the Damm check digit ('0'..'9') over the ASCII digits of s.
func damm10[S ~string | ~[]byte](s S) byte {
	return '0' + damm10State(0, s)
}

// damm32 returns the check symbol (from crockford) over the symbols of s.
func damm32[S ~string | ~[]byte](s S) byte {
	return crockford[mulAlpha[damm32State(0, s)]]
}

// mod97 returns the two ISO 7064 MOD 97-10 check digits over s.
func mod97[S ~string | ~[]byte](s S) [2]byte {
	c := 98 - mod97State(0, s)*100%97 // 2..98: appended, the whole reads as 1 mod 97
	return [2]byte{'0' + byte(c/10), '0' + byte(c%10)}
}

// validDamm10 reports whether check is the Damm check digit of body.
func validDamm10[S ~string | ~[]byte](body S, check byte) bool {
	return check == damm10(body)
}

// validDamm32 reports whether check is the check symbol of body. The check
// is read with crockfordValue, so lower case and look-alikes are accepted.
func validDamm32[S ~string | ~[]byte](body S, check byte) bool {
	v, ok := crockfordValue(check)
	return ok && v == mulAlpha[damm32State(0, body)]
}

// validMod97 reports whether check holds the two check digits of body. It
// compares with the canonical digits rather than testing the remainder, which
// would also accept 01 for 98 and 99 for 02 and give one number two spellings.
func validMod97[S ~string | ~[]byte](body S, check [2]byte) bool {
	return check == mod97(body)
}

// checkGFMul multiplies in GF(2^5) modulo x^5+x^2+1 bit by bit, independently of
// the mulAlpha table.
func checkGFMul(a, b byte) byte {
	var p byte
	for b != 0 {
		if b&1 != 0 {
			p ^= a
		}
		b >>= 1
		a <<= 1
		if a&0x20 != 0 {
			a ^= 0x25
		}
	}
	return p
}

// checkRefDamm32 is Damm's construction over GF(32) written from its definition.
func checkRefDamm32(s string) byte {
	var state byte
	for i := 0; i < len(s); i++ {
		if v, ok := crockfordValue(s[i]); ok {
			state = checkGFMul(2, state) ^ v
		}
	}
	for k := byte(0); k < 32; k++ {
		if checkGFMul(2, state)^k == 0 {
			return crockford[k]
		}
	}
	panic("no check symbol brings the state to 0")
}

// checkRefMod97 computes the check checkDigits with big integers: the symbols are the
// decimal places of N, and the check c makes 100·N + c ≡ 1 (mod 97).
func checkRefMod97(s string) string {
	n, ten := new(big.Int), big.NewInt(10)
	for i := 0; i < len(s); i++ {
		if v, ok := crockfordValue(s[i]); ok {
			n.Mul(n, ten).Add(n, big.NewInt(int64(v)))
		}
	}
	n.Mul(n, big.NewInt(100)).Mod(n, big.NewInt(97))
	c := 98 - n.Int64()
	return string([]byte{byte('0' + c/10), byte('0' + c%10)})
}

func checkPair(p [2]byte) string { return string(p[:]) }

func TestCrockfordValue(t *testing.T) {
	t.Parallel()
	for i := 0; i < 32; i++ {
		for _, c := range []byte{crockford[i], strings.ToLower(crockford)[i]} {
			if v, ok := crockfordValue(c); !ok || int(v) != i {
				t.Errorf("crockfordValue(%q) = %d, %v; want %d, true", c, v, ok, i)
			}
		}
	}
	tests := []struct {
		c    byte
		want byte
		ok   bool
	}{
		{'I', 1, true}, {'i', 1, true}, {'L', 1, true}, {'l', 1, true},
		{'O', 0, true}, {'o', 0, true},
		{'U', 0, false}, {'u', 0, false},
		{'-', 0, false}, {' ', 0, false}, {'@', 0, false}, {'[', 0, false},
		{'`', 0, false}, {'{', 0, false}, {0x00, 0, false}, {0x11, 0, false},
		{0xc1, 0, false}, {0xff, 0, false},
	}
	for _, tt := range tests {
		v, ok := crockfordValue(tt.c)
		if ok != tt.ok || (ok && v != tt.want) {
			t.Errorf("crockfordValue(%q) = %d, %v; want %d, %v", tt.c, v, ok, tt.want, tt.ok)
		}
	}
	accepted := 0
	for c := 0; c < 256; c++ {
		if _, ok := crockfordValue(byte(c)); ok {
			accepted++
			if !strings.ContainsRune(checkSymbolBytes, rune(c)) {
				t.Errorf("crockfordValue accepts %q", byte(c))
			}
		}
	}
	if accepted != len(checkSymbolBytes) {
		t.Errorf("crockfordValue accepts %d bytes, want %d", accepted, len(checkSymbolBytes))
	}
}

func TestCheckKnownVectors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  string
		want string
	}{
		// Wikipedia's worked example of the Damm algorithm.
		{"damm10 572", string(damm10("572")), "4"},
		{"damm10 empty", string(damm10("")), "0"},
		{"damm10 skips separators", string(damm10("2025-09-29")), string(damm10("20250929"))},
		// The example of ISO 7064: 79400 mod 97 = 54, 98 - 54 = 44.
		{"mod97 794", checkPair(mod97("794")), "44"},
		// IBAN DE89 3704 0044 0532 0130 00 (ISO 13616): the BBAN followed by
		// the country code DE spelled 13 14 has check checkDigits 89.
		{"mod97 IBAN DE", checkPair(mod97("3704004405320130001314")), "89"},
		// One position worth 10: 10·100 + 68 = 1068 = 11·97 + 1.
		{"mod97 hex a", checkPair(mod97("a")), "68"},
		{"mod97 upper A", checkPair(mod97([]byte("A"))), "68"},
		// alpha·1 = 2 and 1·2 XOR 2 = 0.
		{"damm32 1", string(damm32("1")), "2"},
		// G = 16 = x^4, alpha·x^4 = x^5 = x^2+1 = 5.
		{"damm32 G", string(damm32("G")), "5"},
		// alpha·16 XOR 17 = 20, alpha·20 = 13 = D.
		{"damm32 GH", string(damm32("GH")), "D"},
		{"damm32 skips separators", string(damm32("7F-3K")), string(damm32("7F3K"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestCheckMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 97))
	for range 2000 {
		body := checkRandomBody(rng, checkAlnumBody+"-", 1+rng.IntN(30))
		if got, want := damm32(body), checkRefDamm32(body); got != want {
			t.Errorf("damm32(%q) = %q, reference %q", body, got, want)
		}
		if got, want := mod97(body), checkRefMod97(body); string(got[:]) != want {
			t.Errorf("mod97(%q) = %q, reference %q", body, got[:], want)
		}
	}
}

// TestCheckFedInPieces feeds bodies to each check character in random
// pieces, as a number's tokens are fed while it is rendered or read: the
// character must be the reference's over the whole body, also past the
// length where MOD 97-10 reduces its remainder.
func TestCheckFedInPieces(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 97))
	for range 2000 {
		body := checkRandomBody(rng, checkAlnumBody+"-", 1+rng.IntN(60))
		for _, mode := range []checkMode{checkDamm10, checkDamm32, checkMod97} {
			var sum uint64
			for rest := []byte(body); len(rest) > 0; {
				n := 1 + rng.IntN(len(rest))
				sum, rest = mode.feed(sum, rest[:n]), rest[n:]
			}
			got := string(appendCheck(nil, mode, sum))
			var want string
			switch mode {
			case checkDamm10:
				want = string(damm10(body)) // pinned by known vectors and the exhaustive table tests
			case checkDamm32:
				want = string(checkRefDamm32(body))
			case checkMod97:
				want = checkRefMod97(body)
			}
			if got != want {
				t.Fatalf("mode %d over %q fed in pieces: %q, reference %q", mode, body, got, want)
			}
		}
	}
}

// checkScheme describes one check algorithm to the error-detection tests: how to
// append the check, how to verify a whole number and how a person reading a
// position would decode it (two bytes with the same value are the same symbol).
type checkScheme struct {
	name       string
	body       string // bytes random bodies are drawn from
	substitute string // bytes tried in place of a body byte
	checkLen   int
	check      func(body string) string
	valid      func(number []byte) bool
	bodyValue  func(c byte) (byte, bool)
	checkValue func(c byte) (byte, bool)
}

func checkDigitValue(c byte) (byte, bool) { return c - '0', c >= '0' && c <= '9' }

var checkSchemes = []checkScheme{
	{
		name: "damm10", body: checkDigits, substitute: checkDigits, checkLen: 1,
		check: func(b string) string { return string(damm10(b)) },
		valid: func(n []byte) bool {
			return validDamm10(n[:len(n)-1], n[len(n)-1])
		},
		bodyValue: checkDigitValue, checkValue: checkDigitValue,
	},
	{
		name: "damm32", body: checkAlnumBody, substitute: checkSymbolBytes, checkLen: 1,
		check: func(b string) string { return string(damm32(b)) },
		valid: func(n []byte) bool {
			return validDamm32(n[:len(n)-1], n[len(n)-1])
		},
		bodyValue: crockfordValue, checkValue: crockfordValue,
	},
	{
		name: "mod97", body: checkDigits + checkAlnumBody, substitute: checkSymbolBytes, checkLen: 2,
		check: func(b string) string { c := mod97(b); return string(c[:]) },
		valid: func(n []byte) bool {
			return validMod97(n[:len(n)-2], [2]byte(n[len(n)-2:]))
		},
		bodyValue: crockfordValue, checkValue: checkDigitValue,
	},
}

func checkRandomBody(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// sameSymbols reports whether a person would read got as the number want: every
// position decodes, with the decoder for that position, to the same value.
func (s checkScheme) sameSymbols(want, got []byte) bool {
	for i := range want {
		decode := s.bodyValue
		if i >= len(want)-s.checkLen {
			decode = s.checkValue
		}
		w, _ := decode(want[i])
		g, ok := decode(got[i])
		if !ok || g != w {
			return false
		}
	}
	return true
}

// TestCheckDetectsErrors proves, on random bodies of length 1..20, that every
// single-character substitution at every position (the check included) and
// every transposition of adjacent different symbols (the last body symbol
// with the check included) is detected, and that a look-alike or a change of
// case, which reads as the same symbol, is still accepted.
func TestCheckDetectsErrors(t *testing.T) {
	t.Parallel()
	for i, s := range checkSchemes {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(i), 2004))
			var allBytes [256]byte
			for c := range allBytes {
				allBytes[c] = byte(c)
			}
			for range 400 {
				body := checkRandomBody(rng, s.body, 1+rng.IntN(20))
				number := []byte(body + s.check(body))
				if !s.valid(number) {
					t.Fatalf("%s: %q does not validate", s.name, number)
				}
				mutated := make([]byte, len(number))
				try := func(what string) {
					t.Helper()
					if want := s.sameSymbols(number, mutated); s.valid(mutated) != want {
						t.Fatalf("%s of %q: valid(%q) = %v, want %v", what, number, mutated, !want, want)
					}
				}
				for p := range number {
					candidates := s.substitute
					if p >= len(body) {
						candidates = string(allBytes[:])
					}
					for j := 0; j < len(candidates); j++ {
						copy(mutated, number)
						mutated[p] = candidates[j]
						try("substitution")
					}
				}
				for p := 0; p+1 < len(number); p++ {
					copy(mutated, number)
					mutated[p], mutated[p+1] = mutated[p+1], mutated[p]
					try("transposition")
				}
			}
		})
	}
}

// TestCheckTablesExhaustive proves the algebra the detection rests on for
// every state and every pair of symbols. Each step is a bijection in the
// state, so a difference, once made, survives the rest of the number.
func TestCheckTablesExhaustive(t *testing.T) {
	t.Parallel()
	t.Run("damm10", func(t *testing.T) {
		t.Parallel()
		op := func(s, x int) int { return int(dammTable[10*s+x] - '0') }
		for s := range 10 {
			if op(s, s) != 0 {
				t.Errorf("diagonal %d∘%d = %d, want 0", s, s, op(s, s))
			}
			var row, col [10]bool
			for x := range 10 {
				row[op(s, x)], col[op(x, s)] = true, true
			}
			for v := range 10 {
				if !row[v] || !col[v] {
					t.Errorf("row or column %d lacks %d", s, v)
				}
			}
			for x := range 10 {
				for y := range 10 {
					if x != y && op(op(s, x), y) == op(op(s, y), x) {
						t.Errorf("(%d∘%d)∘%d == (%d∘%d)∘%d", s, x, y, s, y, x)
					}
				}
			}
		}
	})
	t.Run("damm32", func(t *testing.T) {
		t.Parallel()
		var seen [32]bool
		for s := range byte(32) {
			if mulAlpha[s] != checkGFMul(2, s) {
				t.Errorf("mulAlpha[%d] = %d, want %d", s, mulAlpha[s], checkGFMul(2, s))
			}
			seen[mulAlpha[s]] = true
		}
		for v, ok := range seen {
			if !ok {
				t.Errorf("mulAlpha is not a permutation: %d missing", v)
			}
		}
		op := func(s, v byte) byte { return mulAlpha[s] ^ v }
		for s := range byte(32) {
			for x := range byte(32) {
				for y := range byte(32) {
					if x != y && op(op(s, x), y) == op(op(s, y), x) {
						t.Errorf("(%d∘%d)∘%d == (%d∘%d)∘%d", s, x, y, s, y, x)
					}
				}
			}
		}
	})
	t.Run("mod97", func(t *testing.T) {
		t.Parallel()
		op := func(r, v int) int { return (10*r + v) % 97 }
		for r := range 97 {
			for x := range 32 {
				for y := range 32 {
					if x == y {
						continue
					}
					if op(r, x) == op(r, y) {
						t.Errorf("state %d: %d and %d give the same state", r, x, y)
					}
					if op(op(r, x), y) == op(op(r, y), x) {
						t.Errorf("state %d: %d,%d and %d,%d give the same state", r, x, y, y, x)
					}
				}
			}
		}
	})
}

// TestMod97TwoDigitLettersMiss records why mod97 gives every symbol one
// position: with letters spelled as two checkDigits, as IBAN does, exactly the
// transpositions B1/1B and P2/2P go unseen, for every preceding value, and a
// digit replaced by a letter goes unseen for some preceding values.
func TestMod97TwoDigitLettersMiss(t *testing.T) {
	t.Parallel()
	spelled := func(r, v int) int {
		if v < 10 {
			return (10*r + v) % 97
		}
		return (100*r + v) % 97
	}
	var missed []string
	for x := range 32 {
		for y := x + 1; y < 32; y++ {
			for r := range 97 {
				if spelled(spelled(r, x), y) == spelled(spelled(r, y), x) {
					missed = append(missed, string([]byte{crockford[x], crockford[y]}))
					break
				}
			}
		}
	}
	if got := strings.Join(missed, " "); got != "1B 2P" {
		t.Errorf("transpositions missed with two-digit letters: %q, want %q", got, "1B 2P")
	}
	// 1A spells 110 ≡ 13 (mod 97): one substitution away from 13.
	if spelled(spelled(0, 1), 10) != spelled(spelled(0, 1), 3) {
		t.Error("1A and 13 differ with two-digit letters")
	}
	if mod97("1A") == mod97("13") {
		t.Error("mod97 does not tell 1A from 13")
	}
}

func TestCheckLookAlikes(t *testing.T) {
	t.Parallel()
	tests := []struct{ typed, canonical string }{
		{"C0DE", "CODE"},
		{"1O1", "101"},
		{"I-L", "1-1"},
		{"il0", "110"},
		{"7f3kq9zx", "7F3KQ9ZX"},
		{"deadbeef", "DEADBEEF"},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			t.Parallel()
			if got, want := damm32(tt.typed), damm32(tt.canonical); got != want {
				t.Errorf("damm32(%q) = %q, damm32(%q) = %q", tt.typed, got, tt.canonical, want)
			}
			if got, want := mod97([]byte(tt.typed)), mod97(tt.canonical); got != want {
				t.Errorf("mod97(%q) = %q, mod97(%q) = %q", tt.typed, got[:], tt.canonical, want[:])
			}
		})
	}
	checks := []struct {
		body  string
		check byte
		want  bool
	}{
		{"J", '1', true}, {"J", 'I', true}, {"J", 'i', true}, {"J", 'L', true}, {"J", 'l', true},
		{"0", '0', true}, {"0", 'O', true}, {"0", 'o', true},
		{"G", '5', true}, {"G", 'S', false}, {"0", 'U', false}, {"0", 'u', false}, {"0", '-', false},
		{"GH", 'd', true}, {"gh", 'D', true},
	}
	for _, tt := range checks {
		if got := validDamm32(tt.body, tt.check); got != tt.want {
			t.Errorf("validDamm32(%q, %q) = %v, want %v", tt.body, tt.check, got, tt.want)
		}
	}
}

var (
	checkSinkByte  byte
	checkSinkPair  [2]byte
	checkSinkValid bool
)

// TestCheckAllocs is not parallel: AllocsPerRun measures the whole process.
func TestCheckAllocs(t *testing.T) {
	str := "CASE-20250929-7F3KQ9ZX-0042"
	byt := []byte(str)
	funcs := []struct {
		name string
		f    func()
	}{
		{"damm10/string", func() { checkSinkByte = damm10(str) }},
		{"damm10/bytes", func() { checkSinkByte = damm10(byt) }},
		{"validDamm10/string", func() { checkSinkValid = validDamm10(str, '3') }},
		{"validDamm10/bytes", func() { checkSinkValid = validDamm10(byt, '3') }},
		{"damm32/string", func() { checkSinkByte = damm32(str) }},
		{"damm32/bytes", func() { checkSinkByte = damm32(byt) }},
		{"validDamm32/string", func() { checkSinkValid = validDamm32(str, 'K') }},
		{"validDamm32/bytes", func() { checkSinkValid = validDamm32(byt, 'K') }},
		{"mod97/string", func() { checkSinkPair = mod97(str) }},
		{"mod97/bytes", func() { checkSinkPair = mod97(byt) }},
		{"validMod97/string", func() { checkSinkValid = validMod97(str, [2]byte{'4', '2'}) }},
		{"validMod97/bytes", func() { checkSinkValid = validMod97(byt, [2]byte{'4', '2'}) }},
	}
	for _, fn := range funcs {
		t.Run(fn.name, func(t *testing.T) {
			if n := testing.AllocsPerRun(100, fn.f); n != 0 {
				t.Errorf("%v allocations per run, want 0", n)
			}
		})
	}
}

func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		"", "572", "794", "20250929", "CASE-20250929-1759131413832-073",
		"7f3kq9zx", "IiLlOoUu", "\x00\xff-{}\u00e9",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		b := []byte(body)

		d10 := damm10(body)
		if d10 != damm10(b) || d10 < '0' || d10 > '9' {
			t.Fatalf("damm10(%q) = %q, bytes %q", body, d10, damm10(b))
		}
		if !validDamm10(body, d10) || !validDamm10(b, d10) {
			t.Fatalf("validDamm10(%q, %q) = false", body, d10)
		}
		if damm10(body+string(d10)) != '0' {
			t.Fatalf("Damm state of %q followed by its check is not 0", body)
		}
		if validDamm10(body, '0'+(d10-'0'+1)%10) {
			t.Fatalf("validDamm10(%q) accepts a wrong digit", body)
		}

		d32 := damm32(body)
		if d32 != damm32(b) || !strings.ContainsRune(crockford, rune(d32)) {
			t.Fatalf("damm32(%q) = %q, bytes %q", body, d32, damm32(b))
		}
		if !validDamm32(body, d32) || !validDamm32(b, d32|0x20) {
			t.Fatalf("validDamm32(%q, %q) = false", body, d32)
		}
		if damm32(body+string(d32)) != '0' {
			t.Fatalf("GF(32) state of %q followed by its check is not 0", body)
		}

		m := mod97(body)
		if m != mod97(b) || m[0] < '0' || m[0] > '9' || m[1] < '0' || m[1] > '9' {
			t.Fatalf("mod97(%q) = %q, bytes %q", body, m[:], mod97(b))
		}
		if !validMod97(body, m) || !validMod97(b, m) {
			t.Fatalf("validMod97(%q, %q) = false", body, m[:])
		}
		if validMod97(body, [2]byte{m[0], '0' + (m[1]-'0'+1)%10}) {
			t.Fatalf("validMod97(%q) accepts a wrong pair", body)
		}
	})
}

const checkBenchNumber = "CASE-20250929-1759131413832-7F3KQ9ZX"

func BenchmarkDamm10(b *testing.B) {
	bs := []byte(checkBenchNumber)
	b.Run("string", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkByte = damm10(checkBenchNumber)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkByte = damm10(bs)
		}
	})
}

func BenchmarkDamm32(b *testing.B) {
	bs := []byte(checkBenchNumber)
	b.Run("string", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkByte = damm32(checkBenchNumber)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkByte = damm32(bs)
		}
	})
}

func BenchmarkMod97(b *testing.B) {
	bs := []byte(checkBenchNumber)
	b.Run("string", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkPair = mod97(checkBenchNumber)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			checkSinkPair = mod97(bs)
		}
	})
}
