import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { verifyToken } from "../src/verify_token";
import { clearLatchkeyEnv } from "./support/env";
import { ISSUER, mint, newKey } from "./support/tokens";

beforeEach(() => clearLatchkeyEnv());
afterEach(() => vi.unstubAllEnvs());

describe("verifyToken", () => {
  it("verifies with the configured issuer and key, without cookie rules", async () => {
    const key = await newKey();
    vi.stubEnv("LATCHKEY_ISSUER", ISSUER);
    vi.stubEnv("LATCHKEY_PUBLIC_KEY", key.pem);
    const ok = await verifyToken(await mint(key, { sub: "user_ws" }));
    expect(ok.reason).toBe("session-token-valid");
    expect(ok.claims?.sub).toBe("user_ws");
    const other = await verifyToken(await mint(key, { iss: "https://elsewhere.example" }));
    expect(other).toEqual({ reason: "session-token-iss-mismatch", claims: null });
    expect((await verifyToken("")).reason).toBe("session-token-missing");
  });

  it("throws config_invalid without an issuer, since there is no request to take it from", async () => {
    const key = await newKey();
    await expect(verifyToken(await mint(key), { publicKey: key.pem })).rejects.toMatchObject({ code: "config_invalid" });
  });
});
