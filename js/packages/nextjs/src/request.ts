// Reading a request the way sdk/go/verifier.go and middleware.go do, from
// Web API Headers and URLs only.

/** The names of the contract: cookies, query parameter and debug headers. */
export const SESSION_COOKIE = "__lk_session";
export const CLIENT_UAT_COOKIE = "__lk_uat";
export const HANDSHAKE_PARAM = "__lk_hs";
export const AUTH_REASON_HEADER = "Latchkey-Auth-Reason";
export const AUTH_STATUS_HEADER = "Latchkey-Auth-Status";

/** What is read from request headers: Headers, or next/headers' ReadonlyHeaders. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** bearerToken returns the token of an "Authorization: Bearer <jwt>" header, or null. */
export function bearerToken(headers: HeaderReader): string | null {
  const h = headers.get("authorization");
  if (h === null || h.length < 7 || h.slice(0, 7).toLowerCase() !== "bearer ") return null;
  const token = h.slice(7).trim();
  return token === "" ? null : token;
}

/** latchkeyCookies returns the first __lk_session and __lk_uat values of the Cookie header. */
export function latchkeyCookies(headers: HeaderReader): { session: string; uat: string } {
  let session: string | null = null;
  let uat: string | null = null;
  for (const raw of (headers.get("cookie") ?? "").split(";")) {
    const part = raw.trim();
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq);
    let value = part.slice(eq + 1);
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === SESSION_COOKIE && session === null) session = value;
    else if (name === CLIENT_UAT_COOKIE && uat === null) uat = value;
  }
  return { session: session ?? "", uat: uat ?? "" };
}

/** clientUat parses a __lk_uat value: Unix seconds, 0 if absent or invalid. */
export function clientUat(value: string): number {
  if (!/^[+-]?[0-9]+$/.test(value)) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/**
 * documentRequest reports whether the request is a page load by a browser:
 * Sec-Fetch-Dest: document, or, from a browser that sends no Sec-Fetch-Dest,
 * an Accept header naming text/html.
 */
export function documentRequest(headers: HeaderReader): boolean {
  const dest = headers.get("sec-fetch-dest");
  if (dest !== null && dest !== "") return dest === "document";
  return (headers.get("accept") ?? "").includes("text/html");
}

/**
 * handshakeEligible reports whether a redirect can safely repeat the
 * request: a GET or HEAD page load (a redirected POST would lose its body).
 */
export function handshakeEligible(method: string, headers: HeaderReader): boolean {
  return (method === "GET" || method === "HEAD") && documentRequest(headers);
}

/**
 * requestUrl returns the absolute URL of the request as the browser sees
 * it: the Host header, and https when X-Forwarded-Proto says so.
 */
export function requestUrl(url: string, headers: HeaderReader): URL {
  const u = new URL(url);
  const host = headers.get("host");
  if (host !== null && host !== "") {
    try {
      const h = new URL(`${u.protocol}//${host}`);
      u.hostname = h.hostname;
      u.port = h.port; // the host setter alone would keep the old port
    } catch {
      // An unusable Host header leaves the URL as the server parsed it.
    }
  }
  const proto = (headers.get("x-forwarded-proto") ?? "").split(",")[0]?.trim().toLowerCase();
  if (proto === "https") u.protocol = "https:";
  return u;
}

/**
 * requestOrigin returns the origin of a request known only by its headers
 * (next/headers in a server component): the Host header, https when
 * X-Forwarded-Proto says so, else http. Null without a Host header.
 */
export function requestOrigin(headers: HeaderReader): string | null {
  const host = headers.get("host");
  if (host === null || host === "") return null;
  try {
    const proto = (headers.get("x-forwarded-proto") ?? "").split(",")[0]?.trim().toLowerCase();
    return new URL(`${proto === "https" ? "https" : "http"}://${host}`).origin;
  } catch {
    return null;
  }
}

/**
 * withHandshakeParam returns url with every __lk_hs parameter removed and,
 * if add, __lk_hs=1 appended. The other parameters keep their order and
 * spelling: the page gets back exactly the URL it had.
 */
export function withHandshakeParam(url: URL, add: boolean): string {
  const kept: string[] = [];
  for (const part of url.search.slice(1).split("&")) {
    if (part === "") continue;
    const name = part.split("=", 1)[0] as string;
    if (safeDecode(name) === HANDSHAKE_PARAM) continue;
    kept.push(part);
  }
  if (add) kept.push(`${HANDSHAKE_PARAM}=1`);
  return `${url.origin}${url.pathname}${kept.length > 0 ? `?${kept.join("&")}` : ""}`;
}

/** handshakeParam returns the first __lk_hs value of the URL, or null. */
export function handshakeParam(url: URL): string | null {
  return url.searchParams.get(HANDSHAKE_PARAM);
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return null;
  }
}
