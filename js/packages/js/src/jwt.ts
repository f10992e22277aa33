/**
 * decodeClaims reads the payload of a JWT without verifying it: the browser
 * only needs `exp`, `iat` and `sid` to schedule refreshes, and the app's
 * server verifies every token it is given. null when it is not a JWT.
 */
export function decodeClaims(jwt: string): Record<string, unknown> | null {
  const payload = jwt.split(".")[1];
  if (!payload) return null;
  try {
    // atob is forgiving about missing "=" padding.
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
