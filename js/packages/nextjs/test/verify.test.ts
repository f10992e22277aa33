import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SignJWT } from "jose";
import { pemKeySource, remoteKeySource } from "../src/keys";
import { MAX_TOKEN_BYTES } from "../src/jws";
import { verifySessionToken, type VerifierConfig } from "../src/verify";
import { startJwksServer, type JwksServer } from "./support/jwks_server";
import { APP_ORIGIN, b64url, claimsFor, header, ISSUER, mint, newKey, nowSeconds, signRaw, type TestKey } from "./support/tokens";

let key: TestKey;
let jwks: JwksServer;
let config: VerifierConfig;

beforeAll(async () => {
  key = await newKey();
  jwks = await startJwksServer([key.jwk]);
  config = { issuer: ISSUER, authorizedParties: [APP_ORIGIN], keys: remoteKeySource(jwks.url) };
});
afterAll(() => jwks.close());
afterEach(() => {
  vi.useRealTimers();
});

async function reasonOf(token: string, c: VerifierConfig = config): Promise<string> {
  return (await verifySessionToken(token, c)).reason;
}

describe("verifySessionToken", () => {
  it("accepts a fresh token and returns its claims", async () => {
    const token = await mint(key, { plan: "pro" });
    const v = await verifySessionToken(token, config);
    expect(v.reason).toBe("session-token-valid");
    expect(v.claims?.sub).toBe("user_2abc");
    expect(v.claims?.sid).toBe("sess_2abc");
    expect(v.claims?.plan).toBe("pro");
  });

  it("gives claims no caller can change, nested ones included (they are cached and shared)", async () => {
    const token = await mint(key, { o: { id: "org_1", role: "member", permissions: ["a"] } });
    const first = await verifySessionToken(token, config);
    const o = first.claims?.o as { role: string; permissions: string[] };
    expect(() => {
      o.role = "admin";
    }).toThrow(TypeError);
    expect(() => o.permissions.push("billing:manage")).toThrow(TypeError);
    const again = await verifySessionToken(token, config);
    expect(again.claims?.o).toEqual({ id: "org_1", role: "member", permissions: ["a"] });
  });

  it("says session-token-missing for no token", async () => {
    expect(await reasonOf("")).toBe("session-token-missing");
  });

  describe("session-token-malformed", () => {
    const cases: [string, () => Promise<string>][] = [
      ["not three parts", async () => "abc.def"],
      ["four parts", async () => `${await mint(key)}.x`],
      ["a character outside base64url", async () => (await mint(key)).replace(".", "+.")],
      ["base64 padding", async () => {
        const [h, p, s] = (await mint(key)).split(".");
        return `${h}=.${p}.${s}`;
      }],
      ["an empty payload", async () => `${b64url(header(key))}..${"A".repeat(86)}`],
      ["a header that is not JSON", async () => `${b64url("{nope")}.${b64url("{}")}.${"A".repeat(86)}`],
      ["a header that is an array", async () => `${b64url("[]")}.${b64url("{}")}.${"A".repeat(86)}`],
      ["a header without alg", async () => signRaw(key, JSON.stringify({ kid: key.kid }), JSON.stringify(claimsFor()))],
      ["alg twice in the header", async () =>
        signRaw(key, `{"alg":"ES256","alg":"ES256","kid":"${key.kid}"}`, JSON.stringify(claimsFor()))],
      ["a typ other than JWT", async () => signRaw(key, header(key, { typ: "at+jwt" }), JSON.stringify(claimsFor()))],
      ["a crit header", async () => signRaw(key, header(key, { crit: ["exp"] }), JSON.stringify(claimsFor()))],
      ["a kid that is not a string", async () => signRaw(key, JSON.stringify({ alg: "ES256", kid: 7 }), JSON.stringify(claimsFor()))],
      ["a payload that is not JSON", async () => signRaw(key, header(key), "not json")],
      ["a payload that is not UTF-8", async () => {
        const input = `${b64url(header(key))}.${b64url(new Uint8Array([0x7b, 0xff, 0x7d]))}`;
        const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, new TextEncoder().encode(input));
        return `${input}.${b64url(new Uint8Array(sig))}`;
      }],
      ["exp twice", async () => {
        const c = claimsFor();
        const body = JSON.stringify(c).slice(0, -1) + `,"exp":${nowSeconds() + 3600}}`;
        return signRaw(key, header(key), body);
      }],
      ["sub not a string", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ sub: 42 as unknown as string })))],
      ["no sub", async () => {
        const { sub: _sub, ...c } = claimsFor();
        return signRaw(key, header(key), JSON.stringify(c));
      }],
      ["no exp", async () => {
        const { exp: _exp, ...c } = claimsFor();
        return signRaw(key, header(key), JSON.stringify(c));
      }],
      ["no iat", async () => {
        const { iat: _iat, ...c } = claimsFor();
        return signRaw(key, header(key), JSON.stringify(c));
      }],
      ["exp as a string", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ exp: "soon" as unknown as number })))],
      ["a negative nbf", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ nbf: -1 })))],
      ["exp after the year 9999", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ exp: 253402300800 })))],
      ["v written as 1.0", async () => {
        const body = JSON.stringify(claimsFor({ v: 999 })).replace('"v":999', '"v":1.0');
        return signRaw(key, header(key), body);
      }],
      ["fva with three entries", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ fva: [1, 2, 3] })))],
      ["fva with a string", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ fva: ["1", 2] })))],
      ["o that is not an object", async () => signRaw(key, header(key), JSON.stringify(claimsFor({ o: "org_1" })))],
      ["longer than 8 KiB", async () => mint(key, { pad: "x".repeat(MAX_TOKEN_BYTES) })],
    ];
    for (const [name, make] of cases) {
      it(`for ${name}`, async () => {
        expect(await reasonOf(await make())).toBe("session-token-malformed");
      });
    }

    it("but accepts a fractional exp, a null o and fva with spaces", async () => {
      const body = JSON.stringify(claimsFor({ o: null })).replace('"fva":[0,-1]', '"fva":[ 3 , -1 ]');
      const fractional = body.replace(/"exp":(\d+)/, '"exp":$1.75');
      expect(await reasonOf(await signRaw(key, header(key), fractional))).toBe("session-token-valid");
    });
  });

  describe("session-token-alg-not-allowed", () => {
    it("for HS256, even keyed with the public key", async () => {
      const secret = new TextEncoder().encode(JSON.stringify(key.jwk));
      const token = await new SignJWT(claimsFor()).setProtectedHeader({ alg: "HS256", kid: key.kid }).sign(secret);
      expect(await reasonOf(token)).toBe("session-token-alg-not-allowed");
    });
    it("for none", async () => {
      const token = `${b64url(JSON.stringify({ alg: "none", kid: key.kid }))}.${b64url(JSON.stringify(claimsFor()))}.`;
      expect(await reasonOf(token)).toBe("session-token-alg-not-allowed");
    });
    it("for RS256 and ES384", async () => {
      for (const alg of ["RS256", "ES384"]) {
        const token = `${b64url(JSON.stringify({ alg, kid: key.kid }))}.${b64url(JSON.stringify(claimsFor()))}.${"A".repeat(86)}`;
        expect(await reasonOf(token)).toBe("session-token-alg-not-allowed");
      }
    });
  });

  describe("session-token-signature-invalid", () => {
    it("for a tampered payload", async () => {
      const [h, , s] = (await mint(key)).split(".");
      const forged = `${h}.${b64url(JSON.stringify(claimsFor({ sub: "user_admin" })))}.${s}`;
      expect(await reasonOf(forged)).toBe("session-token-signature-invalid");
    });
    it("for a token signed by another key with the same kid", async () => {
      const other = await newKey(key.kid);
      expect(await reasonOf(await mint(other))).toBe("session-token-signature-invalid");
    });
    it("for a signature of the wrong length or with trailing bits", async () => {
      const token = await mint(key);
      const [h, p, s] = token.split(".") as [string, string, string];
      expect(await reasonOf(`${h}.${p}.${s.slice(0, 85)}`)).toBe("session-token-signature-invalid");
      const last = s.at(-1) as string;
      const flipped = last === "A" ? "B" : "A"; // the last character carries 2 spare bits
      expect(await reasonOf(`${h}.${p}.${s.slice(0, 85)}${flipped}`)).toBe("session-token-signature-invalid");
    });
  });

  describe("time", () => {
    it("says session-token-expired past exp plus the 5 s leeway", async () => {
      const iat = nowSeconds() - 120;
      expect(await reasonOf(await mint(key, { iat, nbf: iat - 5, exp: nowSeconds() - 6 }))).toBe("session-token-expired");
    });
    it("accepts a token within the leeway", async () => {
      const iat = nowSeconds() - 120;
      expect(await reasonOf(await mint(key, { iat, nbf: iat - 5, exp: nowSeconds() - 2 }))).toBe("session-token-valid");
    });
    it("says session-token-not-active-yet for iat or nbf in the future beyond the leeway", async () => {
      const later = nowSeconds() + 60;
      expect(await reasonOf(await mint(key, { iat: later, nbf: later - 5, exp: later + 60 }))).toBe("session-token-not-active-yet");
      expect(await reasonOf(await mint(key, { nbf: later }))).toBe("session-token-not-active-yet");
      expect(await reasonOf(await mint(key, { iat: nowSeconds() + 3 }))).toBe("session-token-valid");
    });
    it("checks issuer and azp before time, so expired means fine if fresh", async () => {
      const iat = nowSeconds() - 120;
      const old = await mint(key, { iss: "https://elsewhere.example", iat, exp: iat + 60 });
      expect(await reasonOf(old)).toBe("session-token-iss-mismatch");
    });
    it("checks time on every use of a cached token", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const token = await mint(key);
      expect(await reasonOf(token)).toBe("session-token-valid");
      vi.setSystemTime(Date.now() + 120_000);
      expect(await reasonOf(token)).toBe("session-token-expired");
    });
  });

  describe("issuer and azp", () => {
    it("says session-token-iss-mismatch when iss is not exactly the issuer", async () => {
      expect(await reasonOf(await mint(key, { iss: `${ISSUER}/` }))).toBe("session-token-iss-mismatch");
    });
    it("says azp-not-authorized for an azp not in the list", async () => {
      expect(await reasonOf(await mint(key, { azp: "https://evil.example" }))).toBe("azp-not-authorized");
    });
    it("accepts a token without azp (minted by the handshake or the Backend API)", async () => {
      expect(await reasonOf(await mint(key, { azp: undefined }))).toBe("session-token-valid");
    });
    it("accepts any azp when no party is configured", async () => {
      const open = { ...config, authorizedParties: [] };
      expect(await reasonOf(await mint(key, { azp: "https://evil.example" }), open)).toBe("session-token-valid");
    });
  });

  describe("keys", () => {
    it("says session-token-kid-unknown without a kid", async () => {
      const token = await signRaw(key, JSON.stringify({ alg: "ES256", typ: "JWT" }), JSON.stringify(claimsFor()));
      expect(await reasonOf(token)).toBe("session-token-kid-unknown");
    });

    it("refetches the JWKS for an unknown kid, at most once per 30 s", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const first = await newKey();
      const server = await startJwksServer([first.jwk]);
      try {
        const c = { ...config, keys: remoteKeySource(server.url) };
        expect(await reasonOf(await mint(first), c)).toBe("session-token-valid");
        expect(server.fetches).toBe(1);
        const next = await newKey();
        server.keys = [first.jwk, next.jwk]; // a rotation publishes the next key
        expect(await reasonOf(await mint(next), c)).toBe("session-token-kid-unknown");
        expect(server.fetches).toBe(1); // within the cooldown: no fetch
        vi.setSystemTime(Date.now() + 31_000);
        expect(await reasonOf(await mint(next), c)).toBe("session-token-valid");
        expect(server.fetches).toBe(2);
        expect(await reasonOf(await mint(await newKey()), c)).toBe("session-token-kid-unknown");
        expect(server.fetches).toBe(2);
      } finally {
        await server.close();
      }
    });

    it("says jwks-unavailable when the set cannot be fetched, and retries after 5 s", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      const k = await newKey();
      const server = await startJwksServer([k.jwk]);
      try {
        server.failWith = 500;
        const c = { ...config, keys: remoteKeySource(server.url) };
        expect(await reasonOf(await mint(k), c)).toBe("jwks-unavailable");
        server.failWith = 0;
        const fetches = server.fetches;
        expect(await reasonOf(await mint(k), c)).toBe("jwks-unavailable");
        expect(server.fetches).toBe(fetches); // no new fetch within 5 s of a failure
        vi.setSystemTime(Date.now() + 6_000);
        expect(await reasonOf(await mint(k), c)).toBe("session-token-valid");
      } finally {
        await server.close();
      }
    });

    it("says jwks-unavailable when nothing listens at the JWKS URL", async () => {
      const server = await startJwksServer([]);
      const url = server.url;
      await server.close();
      const c = { ...config, keys: remoteKeySource(url) };
      expect(await reasonOf(await mint(key), c)).toBe("jwks-unavailable");
    });

    it("verifies with a PEM key, ignoring the kid", async () => {
      const c = { ...config, keys: pemKeySource(key.pem) };
      const token = await signRaw(key, header(key, { kid: "kid_whatever" }), JSON.stringify(claimsFor()));
      expect(await reasonOf(token, c)).toBe("session-token-valid");
      const other = await newKey();
      expect(await reasonOf(await mint(other), c)).toBe("session-token-signature-invalid");
    });

    it("reads a PEM written on one line with \\n escapes", async () => {
      const c = { ...config, keys: pemKeySource(key.pem.trim().replace(/\n/g, "\\n")) };
      expect(await reasonOf(await mint(key), c)).toBe("session-token-valid");
    });

    it("throws public_key_invalid for a PEM that is not a P-256 public key", async () => {
      const c = { ...config, keys: pemKeySource("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----") };
      await expect(verifySessionToken(await mint(key), c)).rejects.toMatchObject({ code: "public_key_invalid" });
    });
  });
});
