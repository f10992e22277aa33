import { describe, expect, it } from "vitest";
import { createRouteMatcher } from "../src/route_matcher";

describe("createRouteMatcher", () => {
  const cases: [string, string[], string[]][] = [
    ["/dashboard(.*)", ["/dashboard", "/dashboard/", "/dashboard/a/b", "/dashboard-old"], ["/", "/dash", "/x/dashboard"]],
    ["/account/:path*", ["/account", "/account/", "/account/a", "/account/a/b"], ["/accounts", "/x/account"]],
    ["/blog/:slug", ["/blog/hello", "/blog/hello/"], ["/blog", "/blog/a/b"]],
    ["/blog/:slug?", ["/blog", "/blog/hello"], ["/blog/a/b"]],
    ["/docs/:path+", ["/docs/a", "/docs/a/b"], ["/docs", "/docs/"]],
    ["/api/(.*)", ["/api/", "/api/users"], ["/api", "/apis/x"]],
    ["/", ["/"], ["/a"]],
    ["/files/:name(\\d+)", ["/files/42"], ["/files/abc"]],
    ["/a.b", ["/a.b"], ["/aXb"]],
  ];
  for (const [pattern, yes, no] of cases) {
    it(`${pattern}`, () => {
      const m = createRouteMatcher([pattern]);
      for (const p of yes) expect(m(p), `${p} should match`).toBe(true);
      for (const p of no) expect(m(p), `${p} should not match`).toBe(false);
    });
  }

  it("matches any of several patterns and regular expressions", () => {
    const m = createRouteMatcher(["/dashboard(.*)", /^\/admin\b/]);
    expect(m("/dashboard/x")).toBe(true);
    expect(m("/admin/users")).toBe(true);
    expect(m("/administrator")).toBe(false);
    expect(m("/")).toBe(false);
  });

  it("reads a Request, a NextRequest-like object or a pathname", () => {
    const m = createRouteMatcher("/dashboard(.*)");
    expect(m(new Request("http://localhost:3000/dashboard?x=1"))).toBe(true);
    expect(m({ url: "http://localhost:3000/base/dashboard", nextUrl: { pathname: "/dashboard" } })).toBe(true);
    expect(m("/elsewhere")).toBe(false);
  });

  it("is case-insensitive and sees through percent-encoding", () => {
    const m = createRouteMatcher(["/dashboard(.*)"]);
    expect(m("/DashBoard")).toBe(true);
    expect(m("/%64ashboard/x")).toBe(true);
    expect(m("/%zz")).toBe(false);
  });

  it("keeps no state between calls for a global regular expression", () => {
    const m = createRouteMatcher([/^\/a/g]);
    expect(m("/a")).toBe(true);
    expect(m("/a")).toBe(true);
  });

  it("refuses patterns it cannot read, with config_invalid", () => {
    for (const bad of ["dashboard", "/dashboard/*", "/a(b", "/:", "/x/(["]) {
      expect(() => createRouteMatcher([bad]), bad).toThrow(expect.objectContaining({ code: "config_invalid" }));
    }
  });
});
