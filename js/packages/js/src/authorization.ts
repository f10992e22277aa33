// Authorization checks on the session token's claims, shared by the React
// components (<Protect>, useAuth().has) and the Next.js server (auth().has). Roles and permissions
// come from the active organization (claim "o": { role, permissions }) or,
// for apps without organizations, from top-level "role" / "permissions"
// claims set by a session claims template.

/** AuthorizationCheck names a role and/or a permission; every one given must hold. */
export interface AuthorizationCheck {
  role?: string;
  permission?: string;
}

/** hasAuthorization reports whether claims satisfy check (false without claims). */
export function hasAuthorization(claims: Record<string, unknown> | null, check: AuthorizationCheck): boolean {
  if (!claims) return false;
  const org = isRecord(claims.o) ? claims.o : null;
  if (check.role !== undefined) {
    const roles = [org?.role, claims.role].filter((r): r is string => typeof r === "string");
    if (!roles.includes(check.role)) return false;
  }
  if (check.permission !== undefined) {
    const permissions = [...stringList(org?.permissions), ...stringList(claims.permissions)];
    if (!permissions.includes(check.permission)) return false;
  }
  return true;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((p): p is string => typeof p === "string") : [];
}
