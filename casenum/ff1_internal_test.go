package casenum

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// The radix-10 samples of NIST's FF1 examples (SP 800-38G, "FF1samples"):
// plaintext 0123456789 under the AES-128, AES-192 and AES-256 keys, with an
// empty tweak and with the tweak 39383736353433323130.
func TestFF1NISTSamples(t *testing.T) {
	t.Parallel()
	const (
		key128 = "2B7E151628AED2A6ABF7158809CF4F3C"
		key192 = key128 + "EF4359D8D580AA4F"
		key256 = key192 + "7F036D6F04FC6A94"
		tweak  = "39383736353433323130"
	)
	for _, tt := range []struct {
		sample     int
		key, tweak string
		want       string
	}{
		{1, key128, "", "2433477484"},
		{2, key128, tweak, "6124200773"},
		{4, key192, "", "2830668132"},
		{5, key192, tweak, "2496655549"},
		{7, key256, "", "6657667009"},
		{8, key256, tweak, "1001623463"},
	} {
		key, _ := hex.DecodeString(tt.key)
		tw, _ := hex.DecodeString(tt.tweak)
		f, err := newFF1(key)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%010d", f.encrypt(123456789, 10, tw))
		if got != tt.want {
			t.Errorf("sample %d: encrypt(0123456789) = %s, want %s", tt.sample, got, tt.want)
		}
		if back := f.decrypt(atoi([]byte(tt.want)), 10, tw); back != 123456789 {
			t.Errorf("sample %d: decrypt(%s) = %010d, want 0123456789", tt.sample, tt.want, back)
		}
	}
}

// Every 6-digit value, the least width FF1 allows in radix 10, maps to a
// 6-digit value no other maps to, and back.
func TestFF1IsABijectionOfSixDigits(t *testing.T) {
	t.Parallel()
	f, err := newFF1([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	tweak := []byte("CASE-20250929-")
	seen := make([]bool, pow10(n))
	for x := range pow10(n) {
		y := f.encrypt(x, n, tweak)
		if y >= pow10(n) || seen[y] {
			t.Fatalf("encrypt(%06d) = %d: out of range or taken twice", x, y)
		}
		seen[y] = true
		if back := f.decrypt(y, n, tweak); back != x {
			t.Fatalf("decrypt(encrypt(%06d)) = %06d", x, back)
		}
	}
}

func TestFF1TweakAndWidths(t *testing.T) {
	t.Parallel()
	f, err := newFF1(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	long := []byte("a scope longer than one block, and than two: CASE-20250929-")
	for n := 2; n <= 18; n++ {
		for _, tw := range [][]byte{nil, []byte("T-"), long[:15], long[:16], long[:17], long} {
			for _, x := range []uint64{0, 1, pow10(n) / 3, pow10(n) - 1} {
				y := f.encrypt(x, n, tw)
				if y >= pow10(n) || f.decrypt(y, n, tw) != x {
					t.Fatalf("n %d, tweak %q: encrypt(%d) = %d, decrypt gives %d", n, tw, x, y, f.decrypt(y, n, tw))
				}
			}
		}
	}
	if a, b := f.encrypt(42, 8, []byte("A-")), f.encrypt(42, 8, []byte("B-")); a == b {
		t.Errorf("scopes A- and B- encrypt 42 alike: %d", a)
	}
	for _, size := range []int{0, 8, 15, 33} {
		if _, err := newFF1(make([]byte, size)); err == nil {
			t.Errorf("newFF1 with a %d-byte key: no error", size)
		}
	}
}

func FuzzFF1(f *testing.F) {
	f.Add([]byte("0123456789abcdef"), []byte("CASE-20250929-"), uint64(42), uint8(6))
	f.Add(make([]byte, 24), []byte{}, uint64(999999999999999999), uint8(18))
	f.Fuzz(func(t *testing.T, key, tweak []byte, x uint64, n uint8) {
		c, err := newFF1(key)
		if err != nil {
			return
		}
		width := 2 + int(n)%17
		x %= pow10(width)
		y := c.encrypt(x, width, tweak)
		if y >= pow10(width) {
			t.Fatalf("encrypt(%d) = %d: more than %d digits", x, y, width)
		}
		if back := c.decrypt(y, width, tweak); back != x {
			t.Fatalf("decrypt(encrypt(%d)) = %d", x, back)
		}
	})
}

func BenchmarkFF1(b *testing.B) {
	f, err := newFF1(make([]byte, 16))
	if err != nil {
		b.Fatal(err)
	}
	tweak := []byte("CASE-20250929-")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f.encrypt(uint64(i)%1e6, 6, tweak)
	}
}
