import type { ComponentProps } from "react";
import { cn } from "./cn.ts";

const tones = {
  neutral: "bg-muted text-muted-foreground",
  info: "bg-primary/15 text-primary",
  success: "bg-success/15 text-success",
  warning: "bg-warning/20 text-warning",
  // the destructive colour itself is too light for small text on its own tint (axe: color-contrast)
  danger: "bg-destructive/15 text-red-800 dark:text-red-300",
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({
  className,
  tone = "neutral",
  ...props
}: ComponentProps<"span"> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn(
        "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium",
        tones[tone],
        className,
      )}
      {...props}
    />
  );
}
