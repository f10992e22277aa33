// The step of a flow: rendered only while it is the flow's step. When the
// flow moves to a new step, focus moves to the step's first field (or first
// button), so keyboard and screen-reader users follow the form.

import { createContext, useContext, useEffect, useMemo, useRef, type HTMLAttributes, type ReactNode, type Ref } from "react";
import type { PartName } from "../parts/registry";
import { usePartProps } from "./part-props";
import { mergeRefs, renderElement, type RenderProp } from "./render";

/** StepFocus tells steps whether to take focus when they appear. */
export interface StepFocus {
  /** Take focus on the first render too, not only after a step change. */
  autoFocus: boolean;
  /** Whether the flow has left the step it started on. */
  changed: { current: boolean };
}

export const StepFocusContext = createContext<StepFocus>({ autoFocus: false, changed: { current: false } });

/** useStepFocus returns the StepFocus of a root whose flow is at step. */
export function useStepFocus(step: string, autoFocus: boolean): StepFocus {
  const initial = useRef(step);
  const changed = useRef(false);
  if (step !== initial.current) changed.current = true;
  return useMemo(() => ({ autoFocus, changed }), [autoFocus]);
}

type DivProps = HTMLAttributes<HTMLDivElement> & { ref?: Ref<HTMLDivElement> };

export interface StepViewProps extends DivProps {
  active: boolean;
  step: string;
  part?: PartName | undefined;
  render?: RenderProp<DivProps> | undefined;
  children?: ReactNode;
}

const firstField = 'input:not([disabled]):not([hidden]):not([type="hidden"]):not([type="checkbox"]), select, textarea';
const firstControl = 'input:not([disabled]):not([hidden]):not([type="hidden"]), button:not([disabled]), a[href]';

/** StepView renders an active step's element with data-step. */
export function StepView({ active, step, part, render, children, ref, ...rest }: StepViewProps) {
  const focus = useContext(StepFocusContext);
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!active || !(focus.autoFocus || focus.changed.current)) return;
    const root = element.current;
    const target = root?.querySelector<HTMLElement>(firstField) ?? root?.querySelector<HTMLElement>(firstControl);
    target?.focus();
  }, [active, step, focus]);
  const props = usePartProps(part, { step }, rest);
  if (!active) return null;
  return renderElement("div", { ...rest, ...props, ref: mergeRefs(element, ref), children }, render);
}
