// A small CSS reader for the skin test: enough of CSS syntax (comments,
// strings, blocks, at-rules) to list every style rule with the at-rules
// around it and every declaration.

export interface StyleRule {
  /** The at-rule preludes around the rule, outermost first ("@layer latchkey"). */
  context: string[];
  selectors: string[];
  declarations: { property: string; value: string }[];
}

export interface Sheet {
  rules: StyleRule[];
  /** Top-level statements outside any block ("@layer latchkey;"). */
  statements: string[];
  /** Names of @keyframes. */
  keyframes: string[];
}

export function parseCSS(text: string): Sheet {
  const source = text.replace(/\/\*[\s\S]*?\*\//g, "");
  const sheet: Sheet = { rules: [], statements: [], keyframes: [] };
  let i = 0;

  function readUntil(stops: string): string {
    let out = "";
    let depth = 0;
    while (i < source.length) {
      const c = source[i] as string;
      if (c === '"' || c === "'") {
        const end = source.indexOf(c, i + 1);
        if (end < 0) throw new Error("unterminated string");
        out += source.slice(i, end + 1);
        i = end + 1;
        continue;
      }
      if (c === "(") depth++;
      if (c === ")") depth--;
      if (depth === 0 && stops.includes(c)) return out;
      out += c;
      i++;
    }
    return out;
  }

  function block(context: string[]): void {
    for (;;) {
      const prelude = readUntil("{};").trim();
      const c = source[i];
      if (c === undefined) {
        if (prelude) throw new Error(`unexpected end after ${prelude}`);
        return;
      }
      i++;
      if (c === "}") {
        if (prelude) throw new Error(`declaration outside a rule: ${prelude}`);
        return;
      }
      if (c === ";") {
        if (context.length === 0) sheet.statements.push(prelude);
        else throw new Error(`statement inside ${context.join(" ")}: ${prelude}`);
        continue;
      }
      if (prelude.startsWith("@keyframes")) {
        sheet.keyframes.push(prelude.slice("@keyframes".length).trim());
        skipBlock();
      } else if (prelude.startsWith("@")) {
        block([...context, prelude]);
      } else {
        sheet.rules.push({ context, selectors: splitTop(prelude), declarations: declarations() });
      }
    }
  }

  function skipBlock(): void {
    let depth = 1;
    while (i < source.length && depth > 0) {
      if (source[i] === "{") depth++;
      if (source[i] === "}") depth--;
      i++;
    }
  }

  function declarations(): { property: string; value: string }[] {
    const body = readUntil("}");
    i++;
    return splitTop(body, ";")
      .filter((d) => d.trim() !== "")
      .map((d) => {
        const colon = d.indexOf(":");
        if (colon < 0) throw new Error(`bad declaration: ${d}`);
        return { property: d.slice(0, colon).trim(), value: d.slice(colon + 1).trim() };
      });
  }

  block([]);
  return sheet;
}

/** splitTop splits on sep outside parentheses and strings. */
export function splitTop(text: string, sep = ","): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of text) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === sep && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/**
 * outsideWhere is what a selector has outside its :where(...) groups: for a
 * selector the skin may use, only whitespace and pseudo-elements (::backdrop).
 */
export function outsideWhere(selector: string): string {
  let out = "";
  let i = 0;
  while (i < selector.length) {
    if (selector.startsWith(":where(", i)) {
      let depth = 0;
      for (; i < selector.length; i++) {
        if (selector[i] === "(") depth++;
        if (selector[i] === ")") {
          depth--;
          if (depth === 0) {
            i++;
            break;
          }
        }
      }
      continue;
    }
    out += selector[i];
    i++;
  }
  return out;
}
