export interface Token {
  path: string[];
  key: string;
  cssName: string;
  value: string;
  fallback: string | undefined;
  description: string;
}
export function collectTokens(tree: unknown): Token[];
export function renderCSS(tokens: Token[]): string;
export function renderTS(tokens: Token[]): string;
