// The social sign-in buttons of <SignIn /> and <SignUp />: the instance's
// enabled providers (environment.social, in its order), with an "or"
// divider between them and the form. appearance.layout places them above
// (the default) or below the form and shows them as full-width buttons
// ("block", the default) or a row of icons ("icon").

import { useLatchkeyContext } from "../../context";
import { format } from "../../localization/format";
import { useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { Connection, SocialButtons } from "../../primitives/connection";
import { useAppearance } from "../../styling/appearance";
import { useSlot } from "../../styling/slots";
import { part, type FormComponent } from "./parts";
import { providerMarkUrl } from "./provider-marks";

/** SocialSection renders the buttons and the divider when position is where the layout places them. */
export function SocialSection({ component, position }: { component: FormComponent; position: "top" | "bottom" }) {
  const { state } = useLatchkeyContext();
  const layout = useAppearance().layout;
  const providers = state.environment?.social ?? [];
  if (providers.length === 0 || (layout?.socialButtonsPlacement ?? "top") !== position) return null;
  const buttons = <SocialButtonList component={component} variant={layout?.socialButtonsVariant ?? "block"} />;
  const divider = <Divider component={component} />;
  return position === "top" ? (
    <>
      {buttons}
      {divider}
    </>
  ) : (
    <>
      {divider}
      {buttons}
    </>
  );
}

function SocialButtonList({ component, variant }: { component: FormComponent; variant: "block" | "icon" }) {
  const t = useLocalization().common.social;
  const SocialButton = useSlot("SocialButton");
  return (
    <Box part={part(component, "socialButtons")} state={{ variant }}>
      <SocialButtons>
        {(provider) => {
          const label = format(t.continueWith, { provider: provider.name });
          return (
            <Connection
              provider={provider}
              part={part(component, "socialButton")}
              // A per-provider modifier class too (lk-signIn-socialButton__google),
              // for styling one provider's button without an attribute selector.
              className={`lk-${part(component, "socialButton")}__${provider.provider}`}
              data-variant={variant}
              aria-label={variant === "icon" ? label : undefined}
              title={variant === "icon" ? label : undefined}
              render={(props) => <SocialButton {...props} provider={provider.provider} busy={props["aria-busy"] === true} />}
            >
              <Box part={part(component, "socialButtonIcon")} render={<img src={providerMarkUrl(provider.provider)} alt="" />} />
              {variant === "block" ? (
                <Box part={part(component, "socialButtonText")} render={<span />}>
                  {label}
                </Box>
              ) : null}
            </Connection>
          );
        }}
      </SocialButtons>
    </Box>
  );
}

function Divider({ component }: { component: FormComponent }) {
  const t = useLocalization().common.social;
  return (
    <Box part={part(component, "divider")} role="separator">
      <Box part={part(component, "dividerLine")} render={<span aria-hidden="true" />} />
      <Box part={part(component, "dividerText")} render={<span />}>
        {t.divider}
      </Box>
      <Box part={part(component, "dividerLine")} render={<span aria-hidden="true" />} />
    </Box>
  );
}
