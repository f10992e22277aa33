import type { signInParts } from "../../parts/sign-in";
import type { signUpParts } from "../../parts/sign-up";
import type { PartName } from "../../parts/registry";

/** FormComponent is a drop-in built on a flow form: <SignIn /> or <SignUp />. */
export type FormComponent = "signIn" | "signUp";

/** SharedPart is a part both <SignIn /> and <SignUp /> have. */
export type SharedPart = (typeof signInParts)[number] & (typeof signUpParts)[number];

/** part names the shared part of component: part("signUp", "label") is "signUp-label". */
export function part(component: FormComponent, name: SharedPart): PartName {
  return `${component}-${name}`;
}
