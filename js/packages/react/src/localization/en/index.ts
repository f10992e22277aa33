// The English resources: the default of every component, and the shape every
// other locale must match key for key.

import { common } from "./common";
import { errors } from "./errors";
import { signIn } from "./sign-in";
import { signUp } from "./sign-up";
import { userButton } from "./user-button";
import { userProfile } from "./user-profile";

export const en = { common, errors, signIn, signUp, userButton, userProfile };
