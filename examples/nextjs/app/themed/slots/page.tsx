import { SignIn } from "@latchkey/nextjs";
import { BrandSubmitButton } from "../../../components/brand-submit-button";

// A slot override: the form's primary button is the app's own component,
// with the sign-in behaviour unchanged.
export default function SlotsTheme() {
  return <SignIn components={{ SubmitButton: BrandSubmitButton }} />;
}
