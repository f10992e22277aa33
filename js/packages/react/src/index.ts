// @latchkey/react: the provider, hooks, control components, headless
// primitives, styling system and drop-in components of Latchkey.
// The built file starts with "use client" (tsup banner): everything here
// runs in the browser, and a server component can render it as a child.

export { LatchkeyProvider, type LatchkeyProviderProps } from "./provider";
export {
  useAuth,
  useLatchkey,
  useSession,
  useSessionList,
  useSignIn,
  useSignUp,
  useUser,
  type UseAuthResult,
  type UseSignInResult,
  type UseSignUpResult,
} from "./hooks";
export { Protect, RedirectToSignIn, SignedIn, SignedOut, type ProtectProps, type RedirectToSignInProps } from "./control";
export type { AuthorizationCheck } from "@latchkey/js";
export { UsageError, type UsageErrorCode } from "./usage-error";

// Styling
export { AppearanceScope, mergeAppearance, useAppearance, type Appearance, type AppearanceScopeProps, type Layout } from "./styling/appearance";
export { usePart, useRootPart, type PartProps, type PartState } from "./styling/use-part";
export {
  defaultSlots,
  useSlot,
  type AvatarProps,
  type ButtonProps,
  type CardProps,
  type FooterProps,
  type HeaderProps,
  type InputProps,
  type LinkProps,
  type Slots,
  type SocialButtonProps,
  type SubmitButtonProps,
} from "./styling/slots";
export { variableNames, type Variables } from "./styling/variables";
export { allPartNames, isPartName, partClass, partsRegistry, type ComponentKey, type PartName } from "./parts/registry";

// Localization
export { en } from "./localization/en";
export { fr as frFR } from "./localization/fr";
export { format, formatParts } from "./localization/format";
export { errorMessage, useLocalization } from "./localization/use-localization";
export type { DeepPartial, Localization, Resources } from "./localization/resources";

// Primitives
export {
  Action,
  Avatar,
  Box,
  Connection,
  Field,
  FieldError,
  Form,
  GlobalError,
  Input,
  Label,
  Modal,
  OtpInput,
  autocompleteFor,
  mergeProps,
  mergeRefs,
  renderElement,
  SocialButtons,
  useFieldControl,
  useSocialSelect,
  useForm,
  userInitials,
  userName,
  type ActionProps,
  type AvatarPrimitiveProps,
  type BoxProps,
  type ConnectionProps,
  type ConnectionRenderState,
  type FieldControl,
  type FieldErrorProps,
  type FieldProps,
  type FormContextValue,
  type FormError,
  type FormErrors,
  type FormRootProps,
  type FormValue,
  type GlobalErrorProps,
  type InputPrimitiveProps,
  type LabelPrimitiveProps,
  type ModalProps,
  type OtpInputProps,
  type RenderProp,
  type SignInRootProps,
  type SignInStepProps,
  type SignUpRootProps,
  type SignUpStepProps,
  type SocialButtonsProps,
} from "./primitives";

// Drop-in components
export { SignIn, SignInButton, type SignInButtonProps, type SignInProps } from "./components/sign-in";
export { SignUp, SignUpButton, type SignUpButtonProps, type SignUpProps } from "./components/sign-up";
export type { CompleteEvent } from "./components/shared/use-completion";
export { UserButton, type UserButtonProps } from "./components/user-button";
export { UserProfile, type UserProfileProps, type UserProfilePage } from "./components/user-profile";

// @latchkey/js, re-exported so an app needs one import
export { LatchkeyError, isLatchkeyError } from "@latchkey/js";
export type { ExternalAccount, InitialState, LatchkeyClient, LatchkeyState, OAuthStrategy, Session, SocialProvider, User } from "@latchkey/js";
