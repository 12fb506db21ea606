package casenum

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// ff1 is the format-preserving cipher FF1 of NIST SP 800-38G over AES, for
// strings of n decimal digits, 2 <= n <= 18, held as integers below 10^n:
// a keyed permutation of that range for every tweak. It is safe for
// concurrent use.
type ff1 struct {
	block cipher.Block
}

// newFF1 returns FF1 under an AES key of 16, 24 or 32 bytes.
func newFF1(key []byte) (*ff1, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("casenum: a permutation key has 16, 24 or 32 bytes, got %d", len(key))
	}
	return &ff1{block: b}, nil
}

// encrypt returns the n-digit x enciphered under tweak.
func (f *ff1) encrypt(x uint64, n int, tweak []byte) uint64 {
	u, v := n/2, n-n/2
	a, b := x/pow10(v), x%pow10(v)
	var last [16]byte
	var st [2][16]byte // one allocation for both: they reach the cipher through an interface
	h, scratch := &st[0], &st[1]
	f.setup(h, &last, n, tweak)
	for i := range 10 {
		m := v
		if i%2 == 0 {
			m = u
		}
		lim := pow10(m)
		c := (a + f.round(scratch, h, last, i, b, v)%lim) % lim
		a, b = b, c
	}
	return a*pow10(v) + b
}

// decrypt undoes encrypt.
func (f *ff1) decrypt(x uint64, n int, tweak []byte) uint64 {
	u, v := n/2, n-n/2
	a, b := x/pow10(v), x%pow10(v)
	var last [16]byte
	var st [2][16]byte // one allocation for both: they reach the cipher through an interface
	h, scratch := &st[0], &st[1]
	f.setup(h, &last, n, tweak)
	for i := 9; i >= 0; i-- {
		m := v
		if i%2 == 0 {
			m = u
		}
		lim := pow10(m)
		c := (b + lim - f.round(scratch, h, last, i, a, v)%lim) % lim
		a, b = c, a
	}
	return a*pow10(v) + b
}

// setup sets h to the CBC-MAC state of the PRF after the block P and every
// block of Q but the last, which the ten rounds share, and last to the last
// block of Q with zeros where a round puts its number and B.
//
// P = [1, 2, 1] [radix]^3 [10] [u mod 256] [n]^4 [t]^4, and
// Q = T [0]^((-t-b-1) mod 16) [i] [NUM(B)]^b: all blocks of Q before its
// last hold only the tweak and zeros.
func (f *ff1) setup(h, last *[16]byte, n int, tweak []byte) {
	*h = [16]byte{1, 2, 1, 0, 0, 10, 10, byte(n / 2)}
	binary.BigEndian.PutUint32(h[8:], uint32(n))
	binary.BigEndian.PutUint32(h[12:], uint32(len(tweak)))
	f.block.Encrypt(h[:], h[:])
	q := len(tweak) + 1 + numBytes(n-n/2)
	blocks := (q + 15) / 16
	for j := range blocks - 1 {
		var x [16]byte
		if 16*j < len(tweak) {
			copy(x[:], tweak[16*j:])
		}
		f.mac(h, h, &x)
	}
	if k := 16 * (blocks - 1); k < len(tweak) {
		copy(last[:], tweak[k:])
	}
}

// round returns the number y of round i: the first 8 bytes of the PRF's
// output for the last block of Q carrying i and the v-digit half b. (For
// n <= 18 the half needs at most 4 bytes, and d = 4*ceil(b/4)+4 = 8.)
func (f *ff1) round(out, h *[16]byte, last [16]byte, i int, b uint64, v int) uint64 {
	nb := numBytes(v)
	last[15-nb] = byte(i)
	for k := range nb {
		last[15-k] = byte(b >> (8 * k))
	}
	f.mac(out, h, &last)
	return binary.BigEndian.Uint64(out[:8])
}

// mac takes one CBC-MAC step: out = AES(h XOR x).
func (f *ff1) mac(out, h, x *[16]byte) {
	for k := range out {
		out[k] = h[k] ^ x[k]
	}
	f.block.Encrypt(out[:], out[:])
}

// numBytes is b = ceil(ceil(v*log2(10))/8), the bytes that hold a v-digit
// number: 10^v is no power of two, so its bit length is ceil(v*log2(10)).
func numBytes(v int) int {
	return (bits.Len64(pow10(v)) + 7) / 8
}
