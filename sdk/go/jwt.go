package latchkey

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// MaxTokenBytes is the longest token the verifier reads; a longer one is
// malformed without being decoded.
const MaxTokenBytes = 8 << 10

// b64 is unpadded base64url that also refuses non-zero trailing bits, so a
// token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

// jws is a compact JWS split into its parts, with the header decoded.
type jws struct {
	header       header
	signingInput string // header "." payload, as received
	payload      string // still base64url: decoded only after the signature checks
	signature    string
}

// splitJWS checks the shape of a compact JWS and decodes its header. It
// returns "" as the reason when the token may go on to key lookup. The
// algorithm is checked here, before any key is chosen, so that no other
// algorithm can ever be tried with a Latchkey key (HS256 keyed with the
// public key's bytes, none, RS256, ...).
func splitJWS(tok string) (jws, Reason) {
	if len(tok) > MaxTokenBytes {
		return jws{}, ReasonSessionTokenMalformed
	}
	// The base64 decoder skips CR and LF, so the alphabet is checked first:
	// only base64url characters and exactly two dots.
	dots := 0
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			dots++
		default:
			return jws{}, ReasonSessionTokenMalformed
		}
	}
	if dots != 2 {
		return jws{}, ReasonSessionTokenMalformed
	}
	h, rest, _ := strings.Cut(tok, ".")
	p, s, _ := strings.Cut(rest, ".")
	if h == "" || p == "" {
		return jws{}, ReasonSessionTokenMalformed
	}
	hb, err := b64.DecodeString(h)
	if err != nil {
		return jws{}, ReasonSessionTokenMalformed
	}
	hdr, err := parseHeader(hb)
	if err != nil {
		return jws{}, ReasonSessionTokenMalformed
	}
	if hdr.alg != "ES256" {
		return jws{}, ReasonAlgNotAllowed
	}
	return jws{header: hdr, signingInput: tok[:len(h)+1+len(p)], payload: p, signature: s}, ""
}

// verifyES256 checks an ES256 signature: the 64-byte big-endian r||s of
// RFC 7518 §3.4 over SHA-256 of the signing input. Anything that is not
// 64 bytes of base64url, including an empty signature, fails.
func verifyES256(pub *ecdsa.PublicKey, signingInput, signature string) bool {
	if len(signature) != 86 { // 64 bytes, unpadded base64url
		return false
	}
	var sig [64]byte
	n, err := b64.Decode(sig[:], []byte(signature))
	if err != nil || n != 64 {
		return false
	}
	digest := sha256.Sum256([]byte(signingInput))
	return ecdsa.VerifyASN1(pub, digest[:], derSignature(sig[:32], sig[32:]))
}

// derSignature encodes r and s (32-byte big-endian each) as the ASN.1
// SEQUENCE of two INTEGERs that crypto/ecdsa verifies. Going through
// ecdsa.Verify instead would take the same path via two big.Ints.
func derSignature(r, s []byte) []byte {
	out := make([]byte, 2, 72)
	out = appendDERInt(out, r)
	out = appendDERInt(out, s)
	out[0], out[1] = 0x30, byte(len(out)-2) // at most 70: short form
	return out
}

func appendDERInt(out, n []byte) []byte {
	for len(n) > 1 && n[0] == 0 {
		n = n[1:] // minimal encoding
	}
	if n[0]&0x80 != 0 {
		out = append(out, 0x02, byte(len(n)+1), 0) // keep it positive
	} else {
		out = append(out, 0x02, byte(len(n)))
	}
	return append(out, n...)
}
