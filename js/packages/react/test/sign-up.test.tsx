import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { SignUp, SignUpButton } from "../src/components/sign-up";
import { FakeClient } from "./fake-client";
import { makeEnvironment, makeUser } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  window.history.replaceState(null, "", "/");
});

function setup(props: Parameters<typeof SignUp>[0] = {}, client = new FakeClient()) {
  const onComplete = vi.fn();
  const result = renderWithClient(<SignUp onComplete={onComplete} {...props} />, { client });
  const flow = () => {
    const f = client.signUpFlows.at(-1);
    if (!f) throw new Error("no flow");
    return f;
  };
  return { ...result, client, onComplete, flow };
}

async function type(label: string | RegExp, value: string) {
  await act(async () => fireEvent.change(screen.getByLabelText(label), { target: { value } }));
}

async function press(name: string | RegExp) {
  await act(async () => fireEvent.click(screen.getByRole("button", { name })));
}

describe("<SignUp />", () => {
  it("shows the fields the instance takes, optional ones marked, with autocomplete", () => {
    const { container } = setup();
    expect(screen.getByRole("heading", { level: 1, name: "Create your account" })).toBeTruthy();
    const auto = (label: string | RegExp) => (screen.getByLabelText(label) as HTMLInputElement).autocomplete;
    expect(auto(/First name/)).toBe("given-name");
    expect(auto(/Last name/)).toBe("family-name");
    expect(auto("Email address")).toBe("email");
    expect(auto("Password")).toBe("new-password");
    expect((screen.getByLabelText("Password") as HTMLInputElement).minLength).toBe(8);
    expect(screen.getByLabelText("First name (Optional)")).toBeTruthy();
    expect(container.querySelector(".lk-signUp-nameRow")?.children).toHaveLength(2);
    expect(screen.getByLabelText("Email address").getAttribute("aria-required")).toBe("true");
    expect(screen.queryByLabelText(/Username/)).toBeNull();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
  });

  it("follows the environment: username, phone, required names, legal consent with links", () => {
    const env = makeEnvironment({
      identifiers: { username: { enabled: true, required: true }, phone_number: { enabled: true } },
      name: { required: true },
      sign_up: { legal_consent_required: true },
    });
    renderWithClient(<SignUp appearance={{ layout: { termsPageUrl: "/terms", privacyPageUrl: "/privacy" } }} />, { client: new FakeClient({ environment: env }) });
    expect(screen.getByLabelText("First name")).toBeTruthy();
    expect((screen.getByLabelText("Username") as HTMLInputElement).autocomplete).toBe("username");
    expect((screen.getByLabelText(/Phone number/) as HTMLInputElement).type).toBe("tel");
    const consent = screen.getByRole("checkbox");
    expect(consent.getAttribute("aria-required")).toBe("true");
    expect(screen.getByRole("link", { name: "Terms of Service" }).getAttribute("href")).toBe("/terms");
    expect(screen.getByRole("link", { name: "Privacy Policy" }).getAttribute("href")).toBe("/privacy");
    expect(consent.closest(".lk-signUp-checkboxField")?.textContent).toBe("I agree to the Terms of Service and the Privacy Policy");
  });

  it("hides optional fields with layout.showOptionalFields false", () => {
    renderWithClient(<SignUp appearance={{ layout: { showOptionalFields: false } }} />);
    expect(screen.queryByLabelText(/First name/)).toBeNull();
    expect(screen.getByLabelText("Email address")).toBeTruthy();
  });

  it("signs up and verifies the email with a code", async () => {
    const { onComplete, client, flow } = setup();
    await press("Continue");
    expect(screen.getAllByRole("alert")[0]?.textContent).toBe("This field is required.");
    expect(document.activeElement).toBe(screen.getByLabelText("Email address"));

    await type(/First name/, "Ada");
    await type("Email address", "ada@example.com");
    await type("Password", "a long enough password");
    await press("Continue");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Verify your email");
    expect(screen.getByText("Enter the code we sent to ada@example.com")).toBeTruthy();
    const code = screen.getByLabelText("Verification code") as HTMLInputElement;
    expect(document.activeElement).toBe(code);
    await press("Resend code");
    expect(flow().actions).toContain("resend");
    await type("Verification code", "000000");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("The code is incorrect."));
    await type("Verification code", client.code);
    await waitFor(() => expect(onComplete).toHaveBeenCalledWith({ sessionId: "sess_new", redirectUrl: "/" }));
    expect(screen.getByText("Your account is ready.")).toBeTruthy();
  });

  it("switches to a link and waits for it", async () => {
    const { onComplete, flow } = setup();
    await type("Email address", "ada@example.com");
    await type("Password", "a long enough password");
    await press("Continue");
    await press("Email me a link instead");
    expect(screen.getByText("We sent a verification link to ada@example.com")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Open the link in the email");
    expect(screen.getByRole("button", { name: "Email me a code instead" })).toBeTruthy();
    await act(async () => flow().complete());
    expect(onComplete).toHaveBeenCalledTimes(1);
  });

  it("goes back to change the email address", async () => {
    setup();
    await type("Email address", "ada@example.com");
    await type("Password", "a long enough password");
    await press("Continue");
    await press("Change");
    expect((screen.getByLabelText("Email address") as HTMLInputElement).value).toBe("ada@example.com");
  });

  it("asks for missing fields on the continue step", async () => {
    const { flow } = setup();
    await act(async () => flow().go("continue"));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Almost there");
    expect(screen.getByLabelText("Username")).toBeTruthy();
    expect(screen.queryByLabelText("Email address")).toBeNull();
  });

  it("says so when sign-up is restricted or a waitlist", () => {
    setup({}, new FakeClient({ environment: makeEnvironment({ sign_up: { mode: "waitlist" } }) }));
    expect(screen.getByRole("status").textContent).toBe("Sign-up is closed for now.");
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.getByRole("link", { name: "Sign in" })).toBeTruthy();
  });

  it("prefills initialValues and sends a signed-in person on", () => {
    setup({ initialValues: { email_address: "grace@example.com" } });
    expect((screen.getByLabelText("Email address") as HTMLInputElement).value).toBe("grace@example.com");
    const { onComplete } = setup({ afterSignUpUrl: "/welcome" }, new FakeClient({ user: makeUser() }));
    expect(onComplete).toHaveBeenCalledWith({ sessionId: null, redirectUrl: "/welcome" });
  });

  it("renders as a modal, opened by <SignUpButton mode='modal'>", async () => {
    const { container } = renderWithClient(<SignUpButton mode="modal" />);
    const trigger = screen.getByRole("button", { name: "Sign up" });
    expect(trigger.getAttribute("aria-haspopup")).toBe("dialog");
    await press("Sign up");
    const dialog = container.querySelector("dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-label")).toBe("Create your account");
    await press("Close");
    expect(dialog.open).toBe(false);
  });

  it("exposes its primitives as SignUp.Root and SignUp.Step", () => {
    renderWithClient(
      <SignUp.Root aria-label="custom">
        <SignUp.Step name={["start", "continue"]}>
          <p>custom fields</p>
        </SignUp.Step>
      </SignUp.Root>,
    );
    expect(screen.getByText("custom fields")).toBeTruthy();
  });
});
