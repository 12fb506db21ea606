package casenum

// Check characters for the {check} token. Each algorithm detects every
// single-character substitution and every transposition of two adjacent,
// different symbols, the check character included. The tables are constant
// strings, and every function works on strings and byte slices alike
// without converting or allocating.
//
// Bytes that are not symbols are skipped, so a symbol replaced by a separator
// reads as a deletion, which no check character can promise to catch: the
// layout's shape check rejects such numbers first.

// crockford is the Crockford base32 alphabet: digits and letters without I L O U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// invalidSymbol marks a byte that is not a Crockford symbol in crockfordLetters.
const invalidSymbol = 0xff

// crockfordLetters holds the value of each letter a..z; I and L read as 1 and
// O as 0, the look-alikes people type, while U is not a symbol at all.
const crockfordLetters = "" +
	"\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11" + // a b c d e f g h
	"\x01\x12\x13\x01\x14\x15\x00\x16" + // i j k l m n o p
	"\x17\x18\x19\x1a\xff\x1b\x1c\x1d" + // q r s t u v w x
	"\x1e\x1f" //                           y z

// crockfordValue decodes one symbol: case-insensitive; I, i, L, l read as 1 and O, o as 0
// (the look-alikes people type). ok is false for U/u and for anything not alphanumeric.
func crockfordValue(c byte) (v byte, ok bool) {
	if c >= '0' && c <= '9' {
		return c - '0', true
	}
	// Setting bit 5 folds A-Z onto a-z and moves no other byte into a-z.
	c |= 0x20
	if c < 'a' || c > 'z' {
		return 0, false
	}
	v = crockfordLetters[c-'a']
	return v, v != invalidSymbol
}

// dammTable is the quasigroup of order 10 from Damm's thesis (2004), row by
// row: the interim digit after reading digit d in state s is dammTable[10*s+d].
// Its diagonal is zero, so the check digit is the final state itself.
const dammTable = "" +
	"0317598642" +
	"7092154863" +
	"4206871359" +
	"1750983426" +
	"6123045978" +
	"3674209581" +
	"5869720134" +
	"8945362017" +
	"9438617205" +
	"2581436790"

// damm10State runs the Damm quasigroup from state over the ASCII digits of
// s; bytes that are not digits (separators inside a date) are skipped. The
// check digit is the final state.
func damm10State[S ~string | ~[]byte](state byte, s S) byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			state = dammTable[10*int(state)+int(c-'0')] - '0'
		}
	}
	return state
}

// mulAlpha multiplies by alpha = x in GF(2^5) modulo x^5+x^2+1: a shift left,
// reduced by 0x25 when bit 5 is set. Because alpha is neither 0 nor 1, the
// operation s∘v = alpha*s XOR v is a quasigroup in which
// (s∘x)∘y = (s∘y)∘x only when (alpha+1)(x XOR y) = 0, that is when x = y.
const mulAlpha = "" +
	"\x00\x02\x04\x06\x08\x0a\x0c\x0e\x10\x12\x14\x16\x18\x1a\x1c\x1e" +
	"\x05\x07\x01\x03\x0d\x0f\x09\x0b\x15\x17\x11\x13\x1d\x1f\x19\x1b"

// damm32State runs Damm's construction over GF(32) from state on the
// symbols of s: state' = alpha*state XOR v. Symbols are read with
// crockfordValue, so lower-case hex digits (a-f) count like A-F; other bytes
// are skipped. The check symbol is the one that brings the state to 0.
func damm32State[S ~string | ~[]byte](state byte, s S) byte {
	for i := 0; i < len(s); i++ {
		if v, ok := crockfordValue(s[i]); ok {
			state = mulAlpha[state] ^ v
		}
	}
	return state
}

// mod97State runs the ISO 7064 pure-system recursion with modulus 97 and
// radix 10 from r over the symbols of s, and returns the remainder. Every symbol takes one position whatever
// its value (0..31), so for digits this is MOD 97-10 exactly. Spelling a
// letter as two digits, as IBAN does, would make "B1" and "1B" (both 111) and
// "P2" and "2P" (both 222) indistinguishable, and would miss a digit replaced
// by a letter whenever the value before it cancels the shift (1A would spell
// 110 ≡ 13 and share the check of 13).
func mod97State[S ~string | ~[]byte](r uint64, s S) uint64 {
	for i := 0; i < len(s); i++ {
		if v, ok := crockfordValue(s[i]); ok {
			// Reducing only before 10r+v could overflow keeps the division
			// off the per-symbol path.
			r = 10*r + uint64(v)
			if r >= 1<<59 {
				r %= 97
			}
		}
	}
	return r % 97
}

// feed returns the state of check character mode after the symbols of
// text, from state s. A number's tokens are fed one by one as they are
// rendered or read; appendCheck writes the character of the last state.
func (mode checkMode) feed(s uint64, text []byte) uint64 {
	switch mode {
	case checkDamm10:
		return uint64(damm10State(byte(s), text))
	case checkDamm32:
		return uint64(damm32State(byte(s), text))
	case checkMod97:
		return mod97State(s, text)
	}
	return s
}

// appendCheck writes the check character of mode in state s: the Damm
// digit is the state itself; the GF(32) symbol is the one that brings the
// state to 0; the two MOD 97-10 digits make the whole read as 1 mod 97.
func appendCheck(dst []byte, mode checkMode, s uint64) []byte {
	switch mode {
	case checkDamm10:
		return append(dst, '0'+byte(s))
	case checkDamm32:
		return append(dst, crockford[mulAlpha[s]])
	}
	c := 98 - s*100%97 // 2..98
	return append(dst, '0'+byte(c/10), '0'+byte(c%10))
}
