// The headless primitives the drop-in components are built from, for apps
// that compose their own forms.

export { Action, type ActionProps } from "./action";
export { Avatar, userInitials, userName, type AvatarPrimitiveProps } from "./avatar";
export { Box, type BoxProps } from "./box";
export { Connection, SocialButtons, useSocialSelect, type ConnectionProps, type ConnectionRenderState, type SocialButtonsProps } from "./connection";
export { Field, FieldError, Label, useFieldControl, type FieldControl, type FieldErrorProps, type FieldProps, type LabelPrimitiveProps } from "./field";
export { Form, useForm, type FormContextValue, type FormError, type FormErrors, type FormRootProps, type FormValue } from "./form";
export { GlobalError, type GlobalErrorProps } from "./global-error";
export { Input, autocompleteFor, type InputPrimitiveProps } from "./input";
export { Modal, type ModalProps } from "./modal";
export { OtpInput, type OtpInputProps } from "./otp-input";
export { mergeProps, mergeRefs, renderElement, type RenderProp } from "./render";
export { SignInRoot, SignInStepView, type SignInRootProps, type SignInStepProps } from "./sign-in";
export { SignUpRoot, SignUpStepView, type SignUpRootProps, type SignUpStepProps } from "./sign-up";
