import path from "node:path";
import type { NextConfig } from "next";
import { withLatchkey } from "@latchkey/nextjs/config";

// This example lives inside the Latchkey repository and takes its packages
// from the npm workspace in ../../js (examples/nextjs/node_modules links
// there). Turbopack reads no file outside its root, so the root is the
// repository. An app of your own needs neither line.
const repositoryRoot = path.join(__dirname, "..", "..");

const nextConfig: NextConfig = {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  poweredByHeader: false,
};

// withLatchkey adds the rewrite /__latchkey/:path* -> LATCHKEY_API_URL/:path*,
// so the browser talks to Latchkey on this app's own origin and every cookie
// is first-party. next build bakes the target in, so set LATCHKEY_API_URL
// before building; without it, `latchkey dev`'s default address is used.
export default withLatchkey(nextConfig, { apiUrl: process.env.LATCHKEY_API_URL || "http://127.0.0.1:8080" });
