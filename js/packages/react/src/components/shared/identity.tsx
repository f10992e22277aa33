import { Box } from "../../primitives/box";
import { Secondary } from "./actions";
import { part, type FormComponent } from "./parts";

/** Identity shows who is signing in or up, with a button to change it. */
export function Identity({ component, text, change, onChange }: { component: FormComponent; text: string; change: string; onChange: () => void }) {
  if (!text) return null;
  return (
    <Box part={part(component, "identity")}>
      <Box part={part(component, "identityText")} render={<span />}>
        {text}
      </Box>
      <Secondary part={part(component, "identityEdit")} onClick={onChange}>
        {change}
      </Secondary>
    </Box>
  );
}
