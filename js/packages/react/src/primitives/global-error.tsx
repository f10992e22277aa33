import { useContext, type HTMLAttributes, type ReactNode, type Ref } from "react";
import type { PartName } from "../parts/registry";
import { errorMessage, useLocalization } from "../localization/use-localization";
import { FormContext } from "./form";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

type DivProps = HTMLAttributes<HTMLDivElement> & { ref?: Ref<HTMLDivElement> };

export interface GlobalErrorProps extends DivProps {
  part?: PartName | undefined;
  render?: RenderProp<DivProps> | undefined;
  /** Replaces the message; by default the localized message of the first error's code. */
  children?: ReactNode;
}

/** GlobalError shows the form's first error that belongs to no field, announced; nothing when there is none. */
export function GlobalError({ part, render, children, ...rest }: GlobalErrorProps) {
  const form = useContext(FormContext);
  const t = useLocalization();
  const error = form?.errors.global[0];
  const props = usePartProps(part, { code: error?.code }, rest);
  if (!error) return null;
  return renderElement("div", { ...rest, ...props, role: "alert", children: children ?? errorMessage(t, error) }, render);
}
