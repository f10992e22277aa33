// The render prop every primitive accepts, to swap the element it renders:
//
//   <Action render={<a href="/help" />}>Help</Action>       clone this element with the props
//   <Action render={(props) => <MyButton {...props} />} />  render it yourself
//
// With an element, its own props win over the primitive's, except className
// (joined), style (merged), event handlers (both run, the element's first)
// and ref (both set).

import { cloneElement, createElement, isValidElement, type ReactElement, type ReactNode, type Ref } from "react";

/** RenderProp swaps a primitive's element: an element to clone, or a function of the props. */
export type RenderProp<Props> = ReactElement | ((props: Props) => ReactNode);

/** renderElement renders tag with props, or what render asks for instead. */
export function renderElement<Props extends object>(tag: string, props: Props, render: RenderProp<Props> | undefined): ReactNode {
  if (typeof render === "function") return render(props);
  if (isValidElement(render)) return cloneElement(render, mergeProps(props as Record<string, unknown>, render.props as Record<string, unknown>));
  return createElement(tag, props);
}

/** renderTag is the element a render prop produces: "a" for render={<a />}, else fallback. */
export function renderTag(render: RenderProp<never> | undefined, fallback: string): string | null {
  if (render === undefined) return fallback;
  if (isValidElement(render) && typeof render.type === "string") return render.type;
  return null;
}

/** mergeProps merges a primitive's props (ours) with a render element's (theirs). */
export function mergeProps(ours: Record<string, unknown>, theirs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ours, ...theirs };
  const classes = [ours.className, theirs.className].filter((c) => typeof c === "string" && c !== "");
  if (classes.length > 0) out.className = classes.join(" ");
  if (ours.style || theirs.style) out.style = { ...(ours.style as object), ...(theirs.style as object) };
  for (const key of Object.keys(ours)) {
    const a = ours[key];
    const b = theirs[key];
    if (/^on[A-Z]/.test(key) && typeof a === "function" && typeof b === "function") {
      out[key] = (...args: unknown[]) => {
        b(...args);
        a(...args);
      };
    }
  }
  if (ours.ref && theirs.ref) out.ref = mergeRefs(ours.ref as Ref<unknown>, theirs.ref as Ref<unknown>);
  if (ours.children !== undefined) out.children = ours.children;
  return out;
}

/** mergeRefs returns one ref that sets every ref given. */
export function mergeRefs<T>(...refs: (Ref<T> | undefined)[]): (value: T | null) => void {
  return (value) => {
    for (const ref of refs) {
      if (typeof ref === "function") ref(value);
      else if (ref) (ref as { current: T | null }).current = value;
    }
  };
}
