// <SignIn.Root> and <SignIn.Step>: the headless sign-in form. Root binds a
// sign-in flow of @latchkey/js to a form (values, errors, busy, submit by
// step); Step renders its children only at that step.

import { useContext, type ReactNode } from "react";
import type { FlowOptions, SignInFlow, SignInStep } from "@latchkey/js";
import { SignInFlowContext, useFlowState, useOwnedFlow } from "../flows";
import { useLatchkey } from "../hooks";
import { UsageError } from "../usage-error";
import { Form, type FormRootProps, type FormValue } from "./form";
import { StepFocusContext, StepView, useStepFocus, type StepViewProps } from "./step";

/** The action each step's submit runs; steps without a form do nothing. */
const submitByStep: Record<SignInStep, ((flow: SignInFlow) => Promise<void>) | null> = {
  identifier: (flow) => flow.submitIdentifier(),
  password: (flow) => flow.submitPassword(),
  choose_strategy: null,
  email_code: (flow) => flow.submitCode(),
  email_link: null,
  forgot_password: null,
  reset_code: (flow) => flow.submitCode(),
  reset_link: null,
  new_password: (flow) => flow.submitNewPassword(),
  complete: null,
};

export interface SignInRootProps extends Omit<FormRootProps, "values" | "errors" | "busy" | "onValueChange" | "onSubmit"> {
  /** A flow from useSignIn() or client.signInFlow(); by default the root makes its own. */
  flow?: SignInFlow;
  /** Options of the flow the root makes (redirectUrl for mailed links). */
  options?: FlowOptions;
  /** Focus the first field on the first render too (not only after a step change). */
  autoFocus?: boolean;
}

/**
 * SignInRoot renders a form driven by a sign-in flow: inputs bind to the
 * flow's fields, errors show by field, and submitting runs the step's action.
 * data-step and data-busy reflect the flow.
 */
export function SignInRoot({ flow: given, options, autoFocus = false, children, ...rest }: SignInRootProps) {
  const client = useLatchkey();
  const flow = useOwnedFlow(given, () => client.signInFlow(options), "sign_in_root_missing");
  const state = useFlowState(flow);
  const focus = useStepFocus(state.step, autoFocus);
  return (
    <SignInFlowContext.Provider value={flow}>
      <StepFocusContext.Provider value={focus}>
        <Form.Root
          {...rest}
          data-step={state.step}
          values={state.values}
          errors={state.errors}
          busy={state.busy}
          onValueChange={(name: string, value: FormValue) => flow.setField(name as Parameters<SignInFlow["setField"]>[0], value)}
          onSubmit={() => {
            void submitByStep[state.step]?.(flow);
          }}
        >
          {children}
        </Form.Root>
      </StepFocusContext.Provider>
    </SignInFlowContext.Provider>
  );
}

export interface SignInStepProps extends Omit<StepViewProps, "active" | "step"> {
  /** The step (or steps) at which the children render. */
  name: SignInStep | SignInStep[];
  children?: ReactNode;
}

/** SignInStepView renders its children while the enclosing sign-in flow is at name. */
export function SignInStepView({ name, ...rest }: SignInStepProps) {
  const flow = useSignInRootFlow();
  const state = useFlowState(flow);
  const active = Array.isArray(name) ? name.includes(state.step) : state.step === name;
  return <StepView {...rest} active={active} step={state.step} />;
}

function useSignInRootFlow(): SignInFlow {
  const flow = useContext(SignInFlowContext);
  if (!flow) throw new UsageError("sign_in_root_missing", "<SignIn.Step> must be inside <SignIn.Root>");
  return flow;
}
