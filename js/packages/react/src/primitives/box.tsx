import type { HTMLAttributes, Ref } from "react";
import type { PartName } from "../parts/registry";
import type { PartState } from "../styling/use-part";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

type ElementProps = HTMLAttributes<HTMLElement> & { ref?: Ref<HTMLElement> };

export interface BoxProps extends ElementProps {
  part?: PartName | undefined;
  /** data-* attributes of the element's state. */
  state?: PartState | undefined;
  render?: RenderProp<ElementProps> | undefined;
}

/**
 * Box is any element that carries a part: a <div> by default, or what render
 * gives (<Box part="signIn-title" render={<h1 />}>).
 */
export function Box({ part, state, render, ...rest }: BoxProps) {
  const props = usePartProps(part, state ?? {}, rest);
  return renderElement("div", { ...rest, ...props }, render);
}
