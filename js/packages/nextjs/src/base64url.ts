// Strict unpadded base64url, as the Go SDK reads tokens: only the URL-safe
// alphabet, no padding, and zero trailing bits, so a token has exactly one
// spelling. (atob and most decoders accept more.)

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/** decodeBase64Url returns the bytes of s, or null if s is not strict unpadded base64url. */
export function decodeBase64Url(s: string): Uint8Array | null {
  const rest = s.length % 4;
  if (rest === 1) return null;
  const out = new Uint8Array(Math.floor(s.length / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (VALUES[c] ?? -1) : -1;
    if (v < 0) return null;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // What is left over must be zero bits (2 or 4 of them), never data.
  if (acc !== 0) return null;
  return out;
}

/** isBase64UrlChar reports whether the character code c is A-Z, a-z, 0-9, - or _. */
export function isBase64UrlChar(c: number): boolean {
  return c < 128 && (VALUES[c] ?? -1) >= 0;
}
