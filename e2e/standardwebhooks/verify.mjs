// Reads {"secret": "whsec_...", "headers": {...}, "body": "..."} on stdin and
// verifies the request with the standardwebhooks library (its own 5-minute
// timestamp tolerance, against this machine's clock). Prints {"ok": true} and
// exits 0, or prints the error and exits 1.
import { Webhook } from 'standardwebhooks';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { secret, headers, body } = JSON.parse(input);
try {
  new Webhook(secret).verify(body, headers);
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.message || String(err) }));
  process.exit(1);
}
