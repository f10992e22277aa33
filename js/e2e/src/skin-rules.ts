// Which rules of Latchkey's skin (the CSS inside @layer latchkey) apply to
// which elements, read from the page's own style sheets with the CSSOM.

import type { Locator } from "playwright-core";

/**
 * skinRulesMatching returns, for each element inside root (root included),
 * the selectors of skin rules that match it and set at least one real
 * property (rules that only define --lk-* variables style nothing).
 * Pseudo-elements and user-action pseudo-classes are dropped from selectors
 * first, so a ::placeholder or :hover rule counts as applying.
 */
export async function skinRulesMatching(root: Locator): Promise<string[]> {
  return root.evaluate((rootElement) => {
    const rules: string[] = [];
    const collect = (list: CSSRuleList, inSkin: boolean, parentSelector: string | null) => {
      for (const rule of Array.from(list)) {
        if (rule instanceof CSSLayerBlockRule) {
          collect(rule.cssRules, inSkin || rule.name === "latchkey", null);
        } else if (rule instanceof CSSStyleRule) {
          const selector = parentSelector ? rule.selectorText.replace(/&/g, `:is(${parentSelector})`) : rule.selectorText;
          if (inSkin && Array.from(rule.style).some((property) => !property.startsWith("--"))) rules.push(selector);
          collect(rule.cssRules, inSkin, selector);
        } else if ("cssRules" in rule) {
          collect((rule as CSSGroupingRule).cssRules, inSkin, parentSelector);
        }
      }
    };
    for (const sheet of Array.from(document.styleSheets)) {
      try {
        collect(sheet.cssRules, false, null);
      } catch {
        // A cross-origin sheet: not the skin.
      }
    }
    const relax = (selector: string) =>
      selector
        .replace(/::?(before|after|placeholder|marker|selection|backdrop|file-selector-button)\b(\([^)]*\))?/g, "")
        .replace(/:(hover|focus|focus-visible|focus-within|active)\b/g, "");
    const elements = [rootElement, ...Array.from(rootElement.querySelectorAll("*"))];
    const matched: string[] = [];
    for (const selector of rules) {
      let relaxed = relax(selector);
      if (relaxed.trim() === "") relaxed = "*";
      for (const element of elements) {
        let hit = false;
        try {
          hit = element.matches(relaxed);
        } catch {
          hit = false;
        }
        if (hit) {
          matched.push(`${element.getAttribute("class") ?? element.tagName.toLowerCase()}: ${selector}`);
        }
      }
    }
    return matched;
  });
}
