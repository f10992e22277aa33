"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const variants = [
  { href: "/themed", label: "Variables" },
  { href: "/themed/tailwind", label: "Tailwind" },
  { href: "/themed/css-modules", label: "CSS modules" },
  { href: "/themed/emotion", label: "CSS-in-JS" },
  { href: "/themed/unstyled", label: "Unstyled" },
  { href: "/themed/slots", label: "Custom button" },
];

export function ThemeNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Theme variants" className="mt-6 flex flex-wrap gap-2">
      {variants.map((v) => (
        <Link
          key={v.href}
          href={v.href}
          aria-current={pathname === v.href ? "page" : undefined}
          className="rounded-full border border-[var(--border)] px-3 py-1 text-sm aria-[current=page]:border-[var(--foreground)] aria-[current=page]:font-medium"
        >
          {v.label}
        </Link>
      ))}
    </nav>
  );
}
