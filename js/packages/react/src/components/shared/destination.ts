// Where a drop-in sends the browser once someone is signed in.

/** RedirectOptions are the props that choose the destination. */
export interface RedirectOptions {
  /** Always go here afterwards, whatever the URL says. */
  redirectUrl?: string | undefined;
  /** Go here when the page's URL has no ?redirect_url= (default "/", or this page in a modal). */
  fallbackUrl?: string | undefined;
}

/**
 * destination is redirectUrl, else the page's ?redirect_url= when it is on
 * this origin (never another site: no open redirect), else fallbackUrl.
 */
export function destination(options: RedirectOptions, fallback: string): string {
  if (options.redirectUrl) return options.redirectUrl;
  const fromQuery = redirectParam();
  if (fromQuery) return fromQuery;
  return options.fallbackUrl ?? fallback;
}

/** redirectParam is the page's same-origin ?redirect_url=, or null. */
export function redirectParam(): string | null {
  if (typeof window === "undefined") return null;
  const value = new URL(window.location.href).searchParams.get("redirect_url");
  if (!value) return null;
  try {
    const url = new URL(value, window.location.href);
    return url.origin === window.location.origin ? localPath(url) : null;
  } catch {
    return null;
  }
}

/** withRedirectParam carries the page's ?redirect_url= over to another auth page (sign-in <-> sign-up). */
export function withRedirectParam(href: string): string {
  const redirect = redirectParam();
  if (!redirect || typeof window === "undefined") return href;
  const url = new URL(href, window.location.href);
  url.searchParams.set("redirect_url", redirect);
  return url.origin === window.location.origin ? localPath(url) : url.toString();
}

/** currentPage is this page's URL without the lk_status a mailed link adds. */
export function currentPage(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete("lk_status");
  return localPath(url);
}

/**
 * localPath is a same-origin URL as a path for location.assign. Leading
 * slashes are collapsed: "https://app.example//evil.example" (or "/\evil",
 * which URL parsing turns into "//evil") has this origin, but its path
 * "//evil.example" would be read by the browser as another host.
 */
export function localPath(url: URL): string {
  return url.pathname.replace(/^\/+/, "/") + url.search + url.hash;
}
