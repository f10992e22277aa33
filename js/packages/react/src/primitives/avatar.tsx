import type { User } from "@latchkey/js";
import type { PartName } from "../parts/registry";
import { useSlot } from "../styling/slots";
import { usePart } from "../styling/use-part";

export interface AvatarPrimitiveProps {
  user: User;
  part: PartName;
  /** Accessible name: the user's name by default; "" when the name is shown beside the avatar. */
  alt?: string;
}

/**
 * Avatar shows the user's picture when they have one (has_image), else
 * their initials, through the Avatar slot; data-has-image tells which.
 */
export function Avatar({ user, part, alt }: AvatarPrimitiveProps) {
  const Slot = useSlot("Avatar");
  const props = usePart(part, { hasImage: user.has_image });
  return <Slot {...props} src={user.has_image && user.image_url ? user.image_url : null} initials={userInitials(user)} alt={alt ?? userName(user)} />;
}

/** userName is the user's full name, else username, else primary email address. */
export function userName(user: User): string {
  const full = [user.first_name, user.last_name].map((p) => (p ?? "").trim()).filter(Boolean).join(" ");
  if (full) return full;
  if (user.username) return user.username;
  return user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address ?? "";
}

/** userInitials are up to two letters: first and last name initials, else the first letter of the name. */
export function userInitials(user: User): string {
  const first = firstLetter(user.first_name);
  const last = firstLetter(user.last_name);
  if (first || last) return (first + last).toUpperCase(); // not toLocaleUpperCase: server and browser locales differ (Turkish i)
  return firstLetter(userName(user)).toUpperCase();
}

function firstLetter(s: string | null): string {
  return Array.from((s ?? "").trim())[0] ?? "";
}
