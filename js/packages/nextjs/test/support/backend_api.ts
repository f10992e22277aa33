// A loopback stand-in for the Backend API's GET /api/v1/users/{id},
// answering like the real server (docs/api/backend.yaml): the user with
// private_metadata, 401 authentication_invalid for a wrong key, 404
// resource_not_found for an unknown user, route_not_found elsewhere.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BackendUser } from "../../src/backend_user";

export const SECRET_KEY = "sk_test_backend";

export function backendUser(id: string, overrides: Partial<BackendUser> = {}): BackendUser {
  return {
    object: "user",
    id,
    external_id: null,
    username: null,
    first_name: "Ada",
    last_name: "Lovelace",
    image_url: "",
    has_image: false,
    primary_email_address_id: "idn_email_1",
    primary_phone_number_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    email_addresses: [
      {
        object: "email_address",
        id: "idn_email_1",
        email_address: "ada@example.com",
        verification: { status: "verified", strategy: "email_code", attempts: null, expire_at: null, verified_at: 0 },
        linked_to: [],
        created_at: 0,
        updated_at: 0,
      },
    ],
    phone_numbers: [],
    external_accounts: [],
    public_metadata: { plan: "pro" },
    private_metadata: { stripe_customer: "cus_secret" },
    unsafe_metadata: {},
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    last_sign_in_at: 0,
    password_last_updated_at: 0,
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}

export interface FakeBackend {
  url: string;
  users: Map<string, BackendUser>;
  requests: { path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

function error(code: string, message: string) {
  return JSON.stringify({ errors: [{ code, message, long_message: message }], trace_id: "req_test" });
}

export async function startBackend(): Promise<FakeBackend> {
  const users = new Map<string, BackendUser>();
  const requests: FakeBackend["requests"] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const json = { "Content-Type": "application/json", "Latchkey-Trace-Id": "req_test" };
    const match = /^\/api\/v1\/users\/([^/?]+)$/.exec(req.url ?? "");
    if (req.method !== "GET" || match === null) {
      res.writeHead(404, json).end(error("route_not_found", "No route serves this path."));
      return;
    }
    if (req.headers.authorization !== `Bearer ${SECRET_KEY}`) {
      res.writeHead(401, json).end(error("authentication_invalid", "The secret key is not valid."));
      return;
    }
    const user = users.get(decodeURIComponent(match[1] as string));
    if (user === undefined) {
      res.writeHead(404, json).end(error("resource_not_found", "No user has this ID."));
      return;
    }
    res.writeHead(200, json).end(JSON.stringify(user));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
