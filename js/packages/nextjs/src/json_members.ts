// Reading a JSON object the way the Go SDK does (sdk/go/claims.go): exactly
// one object, valid UTF-8, no member name twice at the top level, and each
// member's value kept as its raw text, so that "1.0" can be told from "1"
// where a claim must be an integer. JSON.parse alone would keep the last of
// two "exp" members, and a verifier and another reader must never disagree
// about which one counts.

/** One member of a JSON object: its decoded name and its value's raw JSON text. */
export interface JsonMember {
  name: string;
  raw: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * objectMembers returns the top-level members of the JSON object in bytes,
 * in order, or null if bytes are not valid UTF-8, not valid JSON, not an
 * object, or name a member twice.
 */
export function objectMembers(bytes: Uint8Array): JsonMember[] | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  // The text is known to be one valid JSON object from here on, so the walk
  // only has to find where names and values end.
  const members: JsonMember[] = [];
  const seen = new Set<string>();
  let i = skipSpace(text, 0) + 1; // past "{"
  i = skipSpace(text, i);
  if (text[i] === "}") return members;
  for (;;) {
    const nameEnd = stringEnd(text, i);
    const name = JSON.parse(text.slice(i, nameEnd)) as string;
    if (seen.has(name)) return null;
    seen.add(name);
    i = skipSpace(text, skipSpace(text, nameEnd) + 1); // past ":"
    const end = valueEnd(text, i);
    members.push({ name, raw: text.slice(i, end) });
    i = skipSpace(text, end);
    if (text[i] === "}") return members;
    i = skipSpace(text, i + 1); // past ","
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  return i;
}

/** stringEnd returns the index just past the JSON string starting at s[i]. */
function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j + 1;
  }
  return s.length;
}

/** valueEnd returns the index just past the JSON value starting at s[i]. */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') j = stringEnd(s, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if ((d === "}" || d === "]") && --depth === 0) return j + 1;
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && !",}] \t\n\r".includes(s[j] as string)) j++;
  return j;
}
