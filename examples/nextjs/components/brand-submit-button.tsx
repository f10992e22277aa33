"use client";

import type { SubmitButtonProps } from "@latchkey/react";

// BrandSubmitButton replaces the submit button of the drop-ins. It spreads
// the props it gets (the part class, data-* state, type, disabled, ref) and
// shows its own busy state.
export function BrandSubmitButton({ busy, children, className, ...props }: SubmitButtonProps) {
  return (
    <button
      {...props}
      data-brand-button=""
      aria-busy={busy || undefined}
      className={`${className ?? ""} inline-flex w-full items-center justify-center gap-2 rounded-full bg-slate-900 px-4 py-2.5 font-medium text-white`}
    >
      {children}
      <span aria-hidden="true">{busy ? "…" : "→"}</span>
    </button>
  );
}
