// <SignUp.Root> and <SignUp.Step>: the headless sign-up form. Root binds a
// sign-up flow of @latchkey/js to a form (values, errors, busy, submit by
// step); Step renders its children only at that step.

import { useContext, type ReactNode } from "react";
import type { FlowOptions, SignUpFlow, SignUpStep } from "@latchkey/js";
import { SignUpFlowContext, useFlowState, useOwnedFlow } from "../flows";
import { useLatchkey } from "../hooks";
import { UsageError } from "../usage-error";
import { Form, type FormRootProps, type FormValue } from "./form";
import { StepFocusContext, StepView, useStepFocus, type StepViewProps } from "./step";

/** The action each step's submit runs; steps without a form do nothing. */
const submitByStep: Record<SignUpStep, ((flow: SignUpFlow) => Promise<void>) | null> = {
  start: (flow) => flow.submit(),
  verify_email_code: (flow) => flow.submitCode(),
  verify_email_link: null,
  continue: (flow) => flow.submit(),
  complete: null,
};

export interface SignUpRootProps extends Omit<FormRootProps, "values" | "errors" | "busy" | "onValueChange" | "onSubmit"> {
  /** A flow from useSignUp() or client.signUpFlow(); by default the root makes its own. */
  flow?: SignUpFlow;
  /** Options of the flow the root makes (redirectUrl for mailed links). */
  options?: FlowOptions;
  /** Focus the first field on the first render too (not only after a step change). */
  autoFocus?: boolean;
}

/**
 * SignUpRoot renders a form driven by a sign-up flow: inputs bind to the
 * flow's fields, errors show by field, and submitting runs the step's action.
 * data-step and data-busy reflect the flow.
 */
export function SignUpRoot({ flow: given, options, autoFocus = false, children, ...rest }: SignUpRootProps) {
  const client = useLatchkey();
  const flow = useOwnedFlow(given, () => client.signUpFlow(options), "sign_up_root_missing");
  const state = useFlowState(flow);
  const focus = useStepFocus(state.step, autoFocus);
  return (
    <SignUpFlowContext.Provider value={flow}>
      <StepFocusContext.Provider value={focus}>
        <Form.Root
          {...rest}
          data-step={state.step}
          values={state.values}
          errors={state.errors}
          busy={state.busy}
          onValueChange={(name: string, value: FormValue) => flow.setField(name as Parameters<SignUpFlow["setField"]>[0], value)}
          onSubmit={() => {
            void submitByStep[state.step]?.(flow);
          }}
        >
          {children}
        </Form.Root>
      </StepFocusContext.Provider>
    </SignUpFlowContext.Provider>
  );
}

export interface SignUpStepProps extends Omit<StepViewProps, "active" | "step"> {
  /** The step (or steps) at which the children render. */
  name: SignUpStep | SignUpStep[];
  children?: ReactNode;
}

/** SignUpStepView renders its children while the enclosing sign-up flow is at name. */
export function SignUpStepView({ name, ...rest }: SignUpStepProps) {
  const flow = useSignUpRootFlow();
  const state = useFlowState(flow);
  const active = Array.isArray(name) ? name.includes(state.step) : state.step === name;
  return <StepView {...rest} active={active} step={state.step} />;
}

function useSignUpRootFlow(): SignUpFlow {
  const flow = useContext(SignUpFlowContext);
  if (!flow) throw new UsageError("sign_up_root_missing", "<SignUp.Step> must be inside <SignUp.Root>");
  return flow;
}
