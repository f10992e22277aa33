// useMenu is the behaviour of a menu button (WAI-ARIA APG "menu button"):
// Enter, Space or ArrowDown on the trigger open the menu on its first item,
// ArrowUp on its last; ArrowUp/ArrowDown/Home/End move between items;
// Escape closes and gives focus back to the trigger; Tab closes and moves on
// from the trigger; a press outside closes.

import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from "react";

type Edge = "first" | "last";

export interface Menu {
  open: boolean;
  menuId: string;
  rootRef: RefObject<HTMLDivElement | null>;
  triggerRef: RefObject<HTMLButtonElement | null>;
  menuRef: RefObject<HTMLDivElement | null>;
  /** Close the menu; with refocus, focus goes back to the trigger. */
  close: (refocus: boolean) => void;
  triggerProps: {
    "aria-haspopup": "menu";
    "aria-expanded": boolean;
    "aria-controls": string | undefined;
    onClick: () => void;
    onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => void;
    onKeyUp: (event: KeyboardEvent<HTMLButtonElement>) => void;
  };
  menuProps: {
    id: string;
    role: "menu";
    onKeyDown: (event: KeyboardEvent<HTMLDivElement>) => void;
  };
}

export function useMenu(): Menu {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const focusOnOpen = useRef<Edge | null>(null);

  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? []);
  const show = (edge: Edge) => {
    focusOnOpen.current = edge;
    setOpen(true);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) triggerRef.current?.focus();
  };

  useEffect(() => {
    if (!open || !focusOnOpen.current) return;
    const list = items();
    (focusOnOpen.current === "first" ? list[0] : list[list.length - 1])?.focus();
    focusOnOpen.current = null;
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: Event) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("mousedown", onPointerDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("mousedown", onPointerDown);
    };
  }, [open]);

  return {
    open,
    menuId,
    rootRef,
    triggerRef,
    menuRef,
    close,
    triggerProps: {
      "aria-haspopup": "menu",
      "aria-expanded": open,
      "aria-controls": open ? menuId : undefined,
      onClick: () => (open ? close(false) : show("first")),
      onKeyDown: (event) => {
        if (event.key === "Enter" || event.key === " " || event.key === "ArrowDown") {
          // Handled here, so the click that Enter and Space also cause must not toggle it back.
          event.preventDefault();
          show("first");
        } else if (event.key === "ArrowUp") {
          event.preventDefault();
          show("last");
        } else if (event.key === "Escape" && open) {
          event.preventDefault();
          close(true);
        }
      },
      // Some browsers click a button on Space's keyup even when keydown was prevented.
      onKeyUp: (event) => {
        if (event.key === " ") event.preventDefault();
      },
    },
    menuProps: {
      id: menuId,
      role: "menu",
      onKeyDown: (event) => {
        const list = items();
        const index = list.indexOf(document.activeElement as HTMLElement);
        const move = (to: number) => {
          event.preventDefault();
          list[(to + list.length) % list.length]?.focus();
        };
        switch (event.key) {
          case "ArrowDown":
            return move(index + 1);
          case "ArrowUp":
            return move(index < 0 ? list.length - 1 : index - 1);
          case "Home":
            return move(0);
          case "End":
            return move(list.length - 1);
          case "Escape":
            event.preventDefault();
            return close(true);
          case "Tab":
            // Focus goes to the trigger first, so Tab continues from there.
            return close(true);
        }
      },
    },
  };
}
