// A JWKS served from a loopback HTTP server, with a count of fetches.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";

export interface JwksServer {
  url: string;
  /** The keys served; change it to rotate. */
  keys: JWK[];
  /** Answer with this status instead of the set (e.g. 500), or 0 for the set. */
  failWith: number;
  fetches: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state = { keys, failWith: 0, fetches: 0 };
  const server: Server = createServer((req, res) => {
    state.fetches++;
    if (req.url !== "/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    if (state.failWith !== 0) {
      res.writeHead(state.failWith, { "Content-Type": "text/plain" }).end("unavailable");
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get keys() {
      return state.keys;
    },
    set keys(k: JWK[]) {
      state.keys = k;
    },
    get failWith() {
      return state.failWith;
    },
    set failWith(s: number) {
      state.failWith = s;
    },
    get fetches() {
      return state.fetches;
    },
    set fetches(n: number) {
      state.fetches = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
