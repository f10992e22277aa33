export function skinFiles(): string[];
export function buildSkin(): string;
