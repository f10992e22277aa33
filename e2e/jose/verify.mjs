// Reads {"jwks": {...}, "token": "...", "issuer": "..."} on stdin and verifies
// the token with the jose library against the JWKS (ES256 only, issuer
// checked). Prints the verified payload as JSON, or the error and exits 1.
import { createLocalJWKSet, jwtVerify } from 'jose';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { jwks, token, issuer } = JSON.parse(input);
try {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer,
    algorithms: ['ES256'],
  });
  process.stdout.write(JSON.stringify({ payload, header: protectedHeader }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.code || String(err) }));
  process.exit(1);
}
