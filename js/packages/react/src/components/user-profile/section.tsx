// Section is one titled block of a <UserProfile /> page; Notice is the
// polite announcement a section shows after a change succeeded.

import { useId, type ReactNode } from "react";
import { Box } from "../../primitives/box";

/** Section renders a <section> labelled by its title; data-section names it. */
export function Section({ id, title, description, children }: { id: string; title: string; description?: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <Box part="userProfile-section" state={{ section: id }} render={<section aria-labelledby={titleId} />}>
      <Box part="userProfile-sectionTitle" render={<h3 id={titleId} />}>
        {title}
      </Box>
      {description ? (
        <Box part="userProfile-sectionDescription" render={<p />}>
          {description}
        </Box>
      ) : null}
      <Box part="userProfile-sectionBody">{children}</Box>
    </Box>
  );
}

/** Notice announces what just happened ("Your password was updated."); nothing when text is null. */
export function Notice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <Box part="userProfile-notice" role="status">
      {text}
    </Box>
  );
}
