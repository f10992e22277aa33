/**
 * cleanEnv is the environment without the developer's own LATCHKEY_*
 * settings, so a child sees only what the tests set for it.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("LATCHKEY_") && !k.startsWith("NEXT_PUBLIC_LATCHKEY_")) out[k] = v;
  }
  return { ...out, ...extra };
}
