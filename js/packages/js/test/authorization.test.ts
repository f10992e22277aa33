import { describe, expect, it } from "vitest";
import { hasAuthorization } from "../src/index";

describe("hasAuthorization", () => {
  const org = { o: { id: "org_1", role: "admin", permissions: ["billing:manage", 3] } };
  const flat = { role: "editor", permissions: ["posts:write"] };
  it.each([
    ["no claims", null, {}, false],
    ["no check", {}, {}, true],
    ["the organization's role", org, { role: "admin" }, true],
    ["another role", org, { role: "member" }, false],
    ["the organization's permission", org, { permission: "billing:manage" }, true],
    ["a non-string permission is ignored", org, { permission: "3" }, false],
    ["both must hold", org, { role: "admin", permission: "users:delete" }, false],
    ["top-level role (claims template)", flat, { role: "editor" }, true],
    ["top-level permission", flat, { permission: "posts:write" }, true],
    ["either source grants a role", { ...org, ...flat }, { role: "editor" }, true],
    ["a malformed o is ignored", { o: null, role: 7, permissions: "posts:write" }, { permission: "posts:write" }, false],
  ])("%s", (_, claims, check, want) => {
    expect(hasAuthorization(claims as Record<string, unknown> | null, check)).toBe(want);
  });
});
