// usePart gives an element its part: the stable class "lk-<name>", the
// classes and styles the app asked for in appearance, and data-* attributes
// for its state. Every element a component renders goes through it.

import type { CSSProperties } from "react";
import { partClass, type PartName } from "../parts/registry";
import { UsageError } from "../usage-error";
import { useAppearance, type Appearance } from "./appearance";
import { variableNames, type Variables } from "./variables";

/** PartState becomes data-* attributes: true -> "", string or number -> its text, anything else omitted. */
export type PartState = Record<string, string | number | boolean | undefined | null>;

/** PartProps are spread on the element that carries a part. */
export interface PartProps {
  className: string;
  style?: CSSProperties;
  [data: `data-${string}`]: string;
}

/** usePart returns the props of the element that carries part name. */
export function usePart(name: PartName, state?: PartState): PartProps {
  return partProps(name, useAppearance(), state);
}

/**
 * useRootPart is usePart for the outermost element of a drop-in (or of its
 * modal): it adds the class "lk-root" the skin is scoped to, data-lk-unstyled
 * when appearance.unstyled is set, and appearance.variables as --lk-* custom
 * properties.
 */
export function useRootPart(name: PartName, state?: PartState): PartProps {
  const appearance = useAppearance();
  const props = partProps(name, appearance, state);
  props.className = `lk-root ${props.className}`;
  if (appearance.unstyled) props["data-lk-unstyled"] = "";
  const variables = variableStyle(appearance.variables);
  if (variables) props.style = { ...variables, ...props.style };
  return props;
}

/** partProps is usePart without the hook: for name in appearance with state. */
export function partProps(name: PartName | undefined, appearance: Appearance, state?: PartState): PartProps {
  const classes: string[] = [];
  if (name) {
    classes.push(partClass(name));
    const extra = appearance.classNames?.[name];
    if (extra) classes.push(extra);
  }
  const props: PartProps = { className: classes.join(" "), ...dataAttributes(state) };
  const style = name ? appearance.styles?.[name] : undefined;
  if (style) props.style = style;
  return props;
}

/** dataAttributes turns { busy: true, fieldName: "code" } into { "data-busy": "", "data-field-name": "code" }. */
export function dataAttributes(state: PartState | undefined): Record<`data-${string}`, string> {
  const out: Record<`data-${string}`, string> = {};
  if (!state) return out;
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || value === null || value === false) continue;
    const attr = `data-${key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())}` as const;
    out[attr] = value === true ? "" : String(value);
  }
  return out;
}

function variableStyle(variables: Partial<Variables> | undefined): CSSProperties | undefined {
  if (!variables) return undefined;
  const style: Record<string, string> = {};
  let any = false;
  for (const [key, value] of Object.entries(variables)) {
    const property = variableNames[key as keyof Variables];
    if (property === undefined) {
      throw new UsageError("appearance_invalid", `appearance.variables.${key} is not a design token (see the Variables type)`);
    }
    if (value === undefined || value === "") continue;
    style[property] = value;
    any = true;
  }
  return any ? (style as CSSProperties) : undefined;
}
