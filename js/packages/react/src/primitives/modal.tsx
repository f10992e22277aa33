// Modal is a native <dialog> opened with showModal(): the page behind is
// inert, Tab and Shift+Tab cycle inside, Escape and a click on the backdrop
// close it, and focus returns to where it was when it opened.

import { useEffect, useRef, type DialogHTMLAttributes, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode, type Ref, type SyntheticEvent } from "react";
import type { PartName } from "../parts/registry";
import { usePartProps } from "./part-props";
import { mergeRefs, renderElement, type RenderProp } from "./render";

type DialogProps = DialogHTMLAttributes<HTMLDialogElement> & { ref?: Ref<HTMLDialogElement> };

export interface ModalProps extends Omit<DialogProps, "open"> {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The dialog's accessible name. */
  label: string;
  part?: PartName | undefined;
  render?: RenderProp<DialogProps> | undefined;
  children?: ReactNode;
}

const focusable = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Modal renders children in a modal dialog while open; data-open marks it open. */
export function Modal({ open, onOpenChange, label, part, render, children, ref, ...rest }: ModalProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);
  // Where the press began: a text selection that starts in a field and ends
  // on the backdrop is a click on the dialog too, and must not close it.
  const pressedBackdrop = useRef(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog || !open) return;
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      returnFocus.current?.focus();
      returnFocus.current = null;
    };
  }, [open]);

  const props = usePartProps(part, { open }, rest);
  return renderElement(
    "dialog",
    {
      ...rest,
      ...props,
      ref: mergeRefs(dialogRef, ref),
      "aria-label": label,
      onCancel: (event: SyntheticEvent<HTMLDialogElement>) => {
        event.preventDefault();
        onOpenChange(false);
      },
      onClose: () => {
        if (open) onOpenChange(false);
      },
      onPointerDown: (event: PointerEvent<HTMLDialogElement>) => {
        rest.onPointerDown?.(event);
        pressedBackdrop.current = event.target === event.currentTarget;
      },
      onClick: (event: MouseEvent<HTMLDialogElement>) => {
        rest.onClick?.(event);
        // A keyboard "click" has no press (detail 0); a mouse one must start on the backdrop too.
        const fromBackdrop = event.detail === 0 || pressedBackdrop.current;
        pressedBackdrop.current = false;
        if (event.target === event.currentTarget && fromBackdrop) onOpenChange(false);
      },
      onKeyDown: (event: KeyboardEvent<HTMLDialogElement>) => {
        rest.onKeyDown?.(event);
        if (event.key === "Escape") {
          event.preventDefault();
          onOpenChange(false);
        } else if (event.key === "Tab") {
          trapTab(event);
        }
      },
      children: open ? children : null,
    },
    render,
  );
}

function trapTab(event: KeyboardEvent<HTMLDialogElement>) {
  const items = Array.from(event.currentTarget.querySelectorAll<HTMLElement>(focusable));
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || active === event.currentTarget)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}
