// <Connection> and <SocialButtons>: the headless social sign-in buttons.
// Connection is one provider's button; SocialButtons lists the instance's
// enabled providers (environment.social, in the order the server gives) and
// renders each through a render prop. Inside <SignIn.Root> or <SignUp.Root>
// a button starts that flow's redirect to the provider.

import { Fragment, useContext, useState, type ButtonHTMLAttributes, type ReactNode, type Ref } from "react";
import type { OAuthStrategy, SocialProvider } from "@latchkey/js";
import { useLatchkeyContext } from "../context";
import { SignInFlowContext, SignUpFlowContext } from "../flows";
import type { PartName } from "../parts/registry";
import { usePartProps } from "./part-props";
import { renderElement, type RenderProp } from "./render";

type ButtonElementProps = ButtonHTMLAttributes<HTMLButtonElement> & { ref?: Ref<HTMLButtonElement> };

/** ConnectionRenderState is what a Connection's children function is called with. */
export interface ConnectionRenderState {
  provider: SocialProvider;
  /** This provider's redirect is being started. */
  busy: boolean;
}

export interface ConnectionProps extends Omit<ButtonElementProps, "type" | "onSelect" | "children"> {
  provider: SocialProvider;
  /**
   * What a press does; by default the enclosing sign-in (or sign-up) flow's
   * authenticateWithRedirect(provider.strategy).
   */
  onSelect?: ((strategy: OAuthStrategy) => void | Promise<void>) | undefined;
  /** Mark the button busy from outside (a list that tracks one press at a time). */
  busy?: boolean | undefined;
  part?: PartName | undefined;
  render?: RenderProp<ButtonElementProps> | undefined;
  children?: ReactNode | ((state: ConnectionRenderState) => ReactNode);
}

/**
 * useSocialSelect is the press handler of a social button: the given one,
 * else the enclosing flow's redirect to the provider.
 */
export function useSocialSelect(onSelect: ConnectionProps["onSelect"]): ((strategy: OAuthStrategy) => void | Promise<void>) | undefined {
  const signIn = useContext(SignInFlowContext);
  const signUp = useContext(SignUpFlowContext);
  if (onSelect) return onSelect;
  if (signIn) return (strategy) => signIn.authenticateWithRedirect(strategy);
  if (signUp) return (strategy) => signUp.authenticateWithRedirect(strategy);
  return undefined;
}

/**
 * Connection renders a button for one social provider, with data-provider
 * and, while its redirect is being started, data-busy and aria-busy. It is
 * a native button, so Enter and Space press it.
 */
export function Connection({ provider, onSelect, busy: given, part, render, children, onClick, disabled, ...rest }: ConnectionProps) {
  const select = useSocialSelect(onSelect);
  const [pending, setPending] = useState(false);
  const busy = given ?? pending;
  const props = usePartProps(part, { provider: provider.provider, busy, disabled: disabled === true }, rest);
  const content = typeof children === "function" ? children({ provider, busy }) : children;
  const element: ButtonElementProps = {
    ...rest,
    ...props,
    type: "button",
    disabled,
    "aria-busy": busy || undefined,
    children: content,
    onClick: (event) => {
      onClick?.(event);
      if (event.defaultPrevented || busy || !select) return;
      const result = select(provider.strategy);
      if (result && typeof result.then === "function") {
        setPending(true);
        // The page usually unloads on the way to the provider; if it does
        // not (an error), the button is usable again.
        void result.finally(() => setPending(false));
      }
    },
  };
  return renderElement("button", element, render);
}

export interface SocialButtonsProps {
  /** The providers to list (default: environment.social, in its order). */
  providers?: SocialProvider[] | undefined;
  onSelect?: ConnectionProps["onSelect"];
  /** Renders one provider's button; typically a <Connection>. */
  children: (provider: SocialProvider, select: ((strategy: OAuthStrategy) => void | Promise<void>) | undefined) => ReactNode;
}

/** SocialButtons renders children for each enabled social provider, in the environment's order. */
export function SocialButtons({ providers, onSelect, children }: SocialButtonsProps) {
  const { state } = useLatchkeyContext();
  const list = providers ?? state.environment?.social ?? [];
  const select = useSocialSelect(onSelect);
  return <>{list.map((provider) => <Fragment key={provider.strategy}>{children(provider, select)}</Fragment>)}</>;
}
