import { useEffect, useState } from "react";
import { Box } from "../../primitives/box";
import { useSlot } from "../../styling/slots";
import { usePart } from "../../styling/use-part";
import { withRedirectParam } from "./destination";
import { part, type FormComponent } from "./parts";

/** CardFooter is the "Don't have an account? Sign up" line under a card's form. */
export function CardFooter({ component, text, linkText, href }: { component: FormComponent; text: string; linkText: string; href: string }) {
  // The page's ?redirect_url= is read after hydration: the server cannot see it the same way.
  const [target, setTarget] = useState(href);
  useEffect(() => setTarget(withRedirectParam(href)), [href]);
  const Footer = useSlot("Footer");
  const Link = useSlot("Link");
  const linkPart = usePart(part(component, "footerLink"));
  return (
    <Footer {...usePart(part(component, "footer"))}>
      <Box part={part(component, "footerText")} render={<span />}>
        {text}
      </Box>{" "}
      <Link {...linkPart} href={target}>
        {linkText}
      </Link>
    </Footer>
  );
}
