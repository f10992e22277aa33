// useDisclosure is the open/closed state of an inline form opened by a
// button ("Edit profile", "Change password"). When the form closes, focus
// goes back to the button that opened it, so keyboard users keep their place.

import { useEffect, useRef, useState, type RefObject } from "react";

export interface Disclosure {
  open: boolean;
  show: () => void;
  /** Close the form; focus returns to its button unless refocus is false (focus goes elsewhere). */
  hide: (refocus?: boolean) => void;
  /** Put on the button that opens the form. */
  triggerRef: RefObject<HTMLButtonElement | null>;
}

export function useDisclosure(): Disclosure {
  const [open, setOpen] = useState(false);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  const refocus = useRef(true);
  useEffect(() => {
    if (wasOpen.current && !open && refocus.current) triggerRef.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const show = () => {
    refocus.current = true;
    setOpen(true);
  };
  const hide = (focusTrigger = true) => {
    refocus.current = focusTrigger;
    setOpen(false);
  };
  return { open, show, hide, triggerRef };
}
