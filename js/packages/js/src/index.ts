// @latchkey/js: the framework-free browser client of Latchkey.

export { Latchkey } from "./latchkey";
export { LatchkeyError, isLatchkeyError } from "./errors";
export { redirectResult, redirectError, type RedirectResult } from "./flow";
export { hasAuthorization, type AuthorizationCheck } from "./authorization";
export type {
  CredentialStore,
  Flow,
  FlowErrors,
  FlowField,
  FlowOptions,
  FlowState,
  InitialState,
  LatchkeyClient,
  LatchkeyOptions,
  LatchkeyState,
  Listener,
  MeAPI,
  SignInField,
  SignInFlow,
  SignInFlowState,
  SignInStep,
  SignUpField,
  SignUpFlow,
  SignUpFlowState,
  SignUpStep,
} from "./types";
export type { SocialProvider } from "./resources";
export type {
  ApiErrorItem,
  Client,
  Device,
  EmailAddress,
  Environment,
  ExternalAccount,
  FirstFactor,
  FirstFactorStrategy,
  IdentifierSetting,
  OAuthStrategy,
  Session,
  SessionStatus,
  SignIn,
  SignInStatus,
  SignUp,
  // The wire list of sign-up fields; the flow's SignUpField adds "code".
  SignUpField as SignUpResourceField,
  User,
  Verification,
} from "./resources";
