// The components and hooks of @latchkey/react, so an app imports everything
// from "@latchkey/nextjs". They are client components and hooks: a server
// component may render the components, only client components call hooks.
// Only components, hooks and types: a plain value exported from a client
// module would reach a server component as a client reference, not a value
// (locales come from "@latchkey/react/locales/fr").

export {
  Protect,
  RedirectToSignIn,
  SignedIn,
  SignedOut,
  SignIn,
  SignInButton,
  SignUp,
  SignUpButton,
  UserButton,
  UserProfile,
  useAuth,
  useLatchkey,
  useSession,
  useSessionList,
  useSignIn,
  useSignUp,
  useUser,
} from "@latchkey/react";
export type {
  Appearance,
  AuthorizationCheck,
  InitialState,
  Localization,
  ProtectProps,
  RedirectToSignInProps,
  SignInButtonProps,
  SignInProps,
  SignUpButtonProps,
  SignUpProps,
  Slots,
  UseAuthResult,
  User,
} from "@latchkey/react";
