import type { ReactNode } from "react";
import type { PartName } from "../../parts/registry";
import { Action } from "../../primitives/action";
import { useForm } from "../../primitives/form";
import { useSlot } from "../../styling/slots";

/** Submit is a card's primary button, through the SubmitButton slot. */
export function Submit({ part, children }: { part: PartName; children: ReactNode }) {
  const SubmitButton = useSlot("SubmitButton");
  const { busy } = useForm();
  return <Action type="submit" part={part} render={(props) => <SubmitButton {...props} busy={busy} />}>{children}</Action>;
}

/** Secondary is any other button of a card, through the Button slot. */
export function Secondary({ part, onClick, children, state }: { part: PartName; onClick: () => void; children: ReactNode; state?: Record<string, string> }) {
  const Button = useSlot("Button");
  const data = Object.fromEntries(Object.entries(state ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return (
    <Action part={part} onClick={onClick} {...data} render={(props) => <Button {...props} />}>
      {children}
    </Action>
  );
}
