// Localized strings name their parameters in braces: "Enter the code we sent
// to {identifier}". format fills them in; formatParts does the same with
// React nodes (links inside a sentence) so word order stays the translator's.

import type { ReactNode } from "react";

const placeholder = /\{([a-zA-Z0-9_]+)\}/g;

/**
 * format replaces each {name} in template with params[name]. A placeholder
 * without a parameter is left as written, so a missing parameter is visible
 * rather than silently blank.
 */
export function format(template: string, params: Record<string, string | number>): string {
  return template.replace(placeholder, (match, name: string) => {
    const value = params[name];
    return value === undefined ? match : String(value);
  });
}

/**
 * formatParts splits template into strings and the nodes of params, in the
 * template's order: "I agree to the {terms}" with { terms: <a/> } gives
 * ["I agree to the ", <a/>].
 */
export function formatParts(template: string, params: Record<string, ReactNode>): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of template.matchAll(placeholder)) {
    const name = match[1] as string;
    if (!(name in params)) continue;
    if (match.index > last) out.push(template.slice(last, match.index));
    out.push(params[name]);
    last = match.index + match[0].length;
  }
  if (last < template.length) out.push(template.slice(last));
  return out;
}
