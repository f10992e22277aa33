// Route patterns in the syntax of Next.js matchers (path-to-regexp):
// "/dashboard(.*)", "/account/:path*", "/blog/:slug", "/api/(.*)".

import { LatchkeyNextError } from "./errors";

/** A request, or anything with its URL: a NextRequest, a Request, or a pathname. */
export type RouteInput = { url: string; nextUrl?: { pathname: string } } | string;

/** RouteMatcher reports whether a request's path matches. */
export type RouteMatcher = (input: RouteInput) => boolean;

/** Patterns a RouteMatcher is made of: strings in matcher syntax, or regular expressions tested against the pathname. */
export type RoutePatterns = string | RegExp | ReadonlyArray<string | RegExp>;

/**
 * createRouteMatcher returns a function reporting whether a request's
 * pathname matches one of the patterns. A string pattern starts with "/"
 * and matches the whole path, case-insensitively, with an optional
 * trailing slash: literal text, ":name" (one segment), ":name*" (zero or
 * more segments), ":name+" (one or more), ":name?" (an optional segment)
 * and "(regex)" groups, so "/dashboard(.*)" is "/dashboard" and everything
 * under or after it. The pathname is tested as received and percent-decoded,
 * so an encoded path cannot slip past a protected pattern.
 *
 * It throws a LatchkeyNextError with code "config_invalid" for a pattern it
 * cannot read.
 */
export function createRouteMatcher(patterns: RoutePatterns): RouteMatcher {
  const list = typeof patterns === "string" || patterns instanceof RegExp ? [patterns] : [...patterns];
  const regexps = list.map((p) => (p instanceof RegExp ? p : compilePattern(p)));
  return (input) => {
    const path = pathnameOf(input);
    const decoded = safeDecode(path);
    return regexps.some((re) => test(re, path) || (decoded !== null && decoded !== path && test(re, decoded)));
  };
}

function test(re: RegExp, s: string): boolean {
  re.lastIndex = 0; // a /g or /y expression keeps state between calls
  return re.test(s);
}

/** pathnameOf returns the pathname of a request (without basePath for a NextRequest). */
export function pathnameOf(input: RouteInput): string {
  if (typeof input === "string") return input;
  if (input.nextUrl !== undefined) return input.nextUrl.pathname;
  return new URL(input.url).pathname;
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const SEGMENT = "[^/]+";

/** compilePattern turns one matcher-syntax pattern into an anchored regular expression. */
export function compilePattern(pattern: string): RegExp {
  const fail = (why: string): never => {
    throw new LatchkeyNextError("config_invalid", `Latchkey: route pattern ${JSON.stringify(pattern)}: ${why}`);
  };
  if (!pattern.startsWith("/")) fail('it must start with "/"');
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "(") {
      const end = groupEnd(pattern, i);
      if (end < 0) fail("unbalanced parentheses");
      out += `(?:${pattern.slice(i + 1, end)})`;
      i = end + 1;
      i = modifier(pattern, i, (m) => (out = `${out}${m}`));
    } else if (c === ":") {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(pattern.slice(i + 1))?.[0];
      if (name === undefined) fail('":" must be followed by a parameter name');
      i += 1 + (name as string).length;
      let segment = SEGMENT;
      if (pattern[i] === "(") {
        const end = groupEnd(pattern, i);
        if (end < 0) fail("unbalanced parentheses");
        segment = pattern.slice(i + 1, end);
        i = end + 1;
      }
      const mod = pattern[i];
      if (mod === "*" || mod === "+" || mod === "?") {
        // "/:path*" repeats the slash with the segment, as in path-to-regexp.
        const slash = out.endsWith("\\/");
        if (slash) out = out.slice(0, -2);
        out += `(?:${slash ? "\\/" : ""}(?:${segment}))${mod}`;
        i++;
      } else {
        out += `(?:${segment})`;
      }
    } else if (c === "*") {
      fail('a bare "*" is not a pattern: write "(.*)" or "/:path*"');
    } else {
      out += escapeRegExp(c);
      i++;
    }
  }
  const body = out.endsWith("\\/") ? out : `${out}(?:\\/)?`;
  try {
    return new RegExp(`^${body}$`, "i");
  } catch {
    return fail("not a valid regular expression");
  }
}

/** groupEnd returns the index of the ")" closing the "(" at start, or -1. */
function groupEnd(s: string, start: number): number {
  let depth = 0;
  for (let j = start; j < s.length; j++) {
    const c = s[j];
    if (c === "\\") j++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return j;
  }
  return -1;
}

/** modifier applies a "*", "+" or "?" following a group. */
function modifier(s: string, i: number, apply: (m: string) => void): number {
  const m = s[i];
  if (m === "*" || m === "+" || m === "?") {
    apply(m);
    return i + 1;
  }
  return i;
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}
