// The French resources, complete: typed against the English ones, and a
// test checks that both have the same keys.

import type { Resources } from "../resources";
import { common } from "./common";
import { errors } from "./errors";
import { signIn } from "./sign-in";
import { signUp } from "./sign-up";
import { userButton } from "./user-button";
import { userProfile } from "./user-profile";

export const fr: Resources = { common, errors, signIn, signUp, userButton, userProfile };
