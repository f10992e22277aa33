// Action is a button of a form or component: the form's submit button
// (type="submit") or any other action (type="button", the default).

import { useContext, type ButtonHTMLAttributes, type Ref } from "react";
import type { PartName } from "../parts/registry";
import { FormContext } from "./form";
import { usePartProps } from "./part-props";
import { renderElement, renderTag, type RenderProp } from "./render";

type ButtonElementProps = ButtonHTMLAttributes<HTMLButtonElement> & { ref?: Ref<HTMLButtonElement> };

export interface ActionProps extends Omit<ButtonElementProps, "type"> {
  type?: "submit" | "button";
  part?: PartName | undefined;
  render?: RenderProp<ButtonElementProps> | undefined;
}

/**
 * Action renders a button; data-busy marks a submit button while its form's
 * request is in flight and data-disabled a disabled one. With
 * render={<a href="..." />} it renders a link (no type attribute).
 */
export function Action({ type = "button", part, render, ...rest }: ActionProps) {
  const form = useContext(FormContext);
  const busy = type === "submit" && (form?.busy ?? false);
  const props = usePartProps(part, { busy, disabled: rest.disabled === true }, rest);
  const tag = renderTag(render, "button");
  const typed = tag === "button" || tag === null ? { type } : {};
  return renderElement("button", { ...rest, ...props, ...typed }, render);
}
