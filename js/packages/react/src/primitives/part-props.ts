import type { CSSProperties } from "react";
import { useAppearance } from "../styling/appearance";
import { partProps, type PartProps, type PartState } from "../styling/use-part";
import type { PartName } from "../parts/registry";

/**
 * usePartProps is usePart for primitives, whose part is optional: without
 * one the element still gets its data-* state. The element's own className
 * and style (own) come after the part's, so they win.
 */
export function usePartProps(part: PartName | undefined, state: PartState, own?: { className?: string | undefined; style?: CSSProperties | undefined }): PrimitiveProps {
  const { className, ...props }: PrimitiveProps = partProps(part, useAppearance(), state);
  const classes = [className, own?.className].filter(Boolean).join(" ");
  if (own?.style) props.style = { ...props.style, ...own.style };
  return classes ? { ...props, className: classes } : props;
}

/** PrimitiveProps are PartProps whose class may be absent (no part, no className). */
export type PrimitiveProps = Omit<PartProps, "className"> & { className?: string };
