// The frame of a flow card: the Card slot as the root (class lk-root), inside
// a modal dialog in modal mode.

import type { ReactNode } from "react";
import { Action } from "../../primitives/action";
import { Modal } from "../../primitives/modal";
import { useLocalization } from "../../localization/use-localization";
import { useSlot } from "../../styling/slots";
import { useRootPart } from "../../styling/use-part";
import { part, type FormComponent } from "./parts";

export interface FrameProps {
  component: FormComponent;
  mode: "page" | "modal";
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The modal's accessible name (the card's title). */
  label: string;
  step: string;
  busy: boolean;
  children: ReactNode;
}

/** Frame renders children in the card, itself in a modal when mode is "modal". */
export function Frame({ component, mode, open, onOpenChange, label, step, busy, children }: FrameProps) {
  const Card = useSlot("Card");
  const t = useLocalization();
  const modalProps = useRootPart(part(component, "modal"));
  const cardProps = useRootPart(part(component, "root"), { step, busy, mode });
  if (mode === "page") return <Card {...cardProps}>{children}</Card>;
  return (
    <Modal {...modalProps} open={open} onOpenChange={onOpenChange} label={label}>
      <Card {...cardProps}>
        <Action part={part(component, "modalClose")} aria-label={t.common.close} onClick={() => onOpenChange(false)}>
          ×
        </Action>
        {children}
      </Card>
    </Modal>
  );
}
