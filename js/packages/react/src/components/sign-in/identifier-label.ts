import type { Environment } from "@latchkey/js";
import type { Resources } from "../../localization/resources";

/** identifierInput is the label and input hints of the identifier field, from the identifiers used for sign-in. */
export function identifierInput(env: Environment, t: Resources["signIn"]["identifier"]): { label: string; emailOnly: boolean } {
  const email = env.identifiers.email_address.used_for_sign_in;
  const username = env.identifiers.username.used_for_sign_in;
  const phone = env.identifiers.phone_number.used_for_sign_in;
  let label = t.email;
  if (email && username && phone) label = t.any;
  else if (email && username) label = t.emailOrUsername;
  else if (email && phone) label = t.emailOrPhone;
  else if (username && phone) label = t.usernameOrPhone;
  else if (username) label = t.username;
  else if (phone) label = t.phone;
  return { label, emailOnly: email && !username && !phone };
}
