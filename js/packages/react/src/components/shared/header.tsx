import { useLatchkeyContext } from "../../context";
import { Box } from "../../primitives/box";
import { useAppearance } from "../../styling/appearance";
import { useSlot } from "../../styling/slots";
import { usePart } from "../../styling/use-part";
import { part, type FormComponent } from "./parts";

/** CardHeader is a card's logo, title (the dialog's name in a modal) and subtitle. */
export function CardHeader({ component, title, subtitle }: { component: FormComponent; title: string; subtitle: string }) {
  const Header = useSlot("Header");
  const { state } = useLatchkeyContext();
  const layout = useAppearance().layout;
  const logo = layout?.logoImageUrl || state.environment?.branding.logo_url || "";
  const name = state.environment?.branding.application_name ?? "";
  return (
    <Header {...usePart(part(component, "header"))}>
      {logo && layout?.logoPlacement !== "none" ? <Box part={part(component, "logo")} render={<img src={logo} alt={name} />} /> : null}
      <Box part={part(component, "title")} render={<h1 />}>
        {title}
      </Box>
      {subtitle ? (
        <Box part={part(component, "subtitle")} render={<p />}>
          {subtitle}
        </Box>
      ) : null}
    </Header>
  );
}
