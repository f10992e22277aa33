import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { Action } from "../src/primitives/action";
import { Avatar } from "../src/primitives/avatar";
import { Box } from "../src/primitives/box";
import { Field, FieldError, Label } from "../src/primitives/field";
import { Form, type FormErrors, type FormValue } from "../src/primitives/form";
import { GlobalError } from "../src/primitives/global-error";
import { Input } from "../src/primitives/input";
import { Modal } from "../src/primitives/modal";
import { OtpInput } from "../src/primitives/otp-input";
import { AppearanceScope } from "../src/styling/appearance";
import { makeUser } from "./fixtures";

function TestForm({ errors, busy = false, onSubmit = () => undefined, initial = {}, children }: { errors?: FormErrors; busy?: boolean; onSubmit?: (values: Record<string, FormValue | undefined>) => void; initial?: Record<string, FormValue>; children: React.ReactNode }) {
  const [values, setValues] = useState<Record<string, FormValue | undefined>>(initial);
  return (
    <Form.Root values={values} errors={errors} busy={busy} onValueChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} onSubmit={() => onSubmit(values)} aria-label="test form">
      {children}
    </Form.Root>
  );
}

const incorrect = { code: "form_password_incorrect", message: "server says no" };

describe("Form, Field, Label, Input, FieldError", () => {
  it("binds inputs to values by field name and submits them", () => {
    const onSubmit = vi.fn();
    render(
      <TestForm onSubmit={onSubmit}>
        <Field name="identifier">
          <Label>Email</Label>
          <Input />
        </Field>
        <Field name="remember">
          <Input type="checkbox" />
          <Label>Remember me</Label>
        </Field>
        <Action type="submit">Go</Action>
      </TestForm>,
    );
    const email = screen.getByLabelText("Email") as HTMLInputElement;
    expect(email.name).toBe("identifier");
    expect(email.autocomplete).toBe("username");
    fireEvent.change(email, { target: { value: "ada@example.com" } });
    fireEvent.click(screen.getByLabelText("Remember me"));
    fireEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(onSubmit).toHaveBeenCalledWith({ identifier: "ada@example.com", remember: true });
  });

  it("links an error to its input and marks both invalid, with the localized message", () => {
    render(
      <TestForm errors={{ global: [], fields: { password: incorrect } }}>
        <Field name="password" data-testid="field">
          <Label>Password</Label>
          <Input type="password" />
          <FieldError />
        </Field>
      </TestForm>,
    );
    const input = screen.getByLabelText("Password");
    const error = screen.getByRole("alert");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe(error.id);
    expect(input.getAttribute("autocomplete")).toBe("current-password");
    expect(error.textContent).toBe("The password is incorrect. Try again, or use another method.");
    expect(error.getAttribute("data-code")).toBe("form_password_incorrect");
    expect(screen.getByTestId("field").hasAttribute("data-invalid")).toBe(true);
    expect(document.activeElement).toBe(input);
  });

  it("falls back to the server's message for an unknown code, and shows nothing without an error", () => {
    const { rerender } = render(
      <TestForm errors={{ global: [{ code: "brand_new_code", message: "short", longMessage: "the long message" }], fields: {} }}>
        <GlobalError />
        <Field name="identifier">
          <FieldError />
        </Field>
      </TestForm>,
    );
    expect(screen.getByRole("alert").textContent).toBe("the long message");
    rerender(
      <TestForm>
        <GlobalError />
        <Field name="identifier">
          <FieldError />
        </Field>
      </TestForm>,
    );
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("ignores submit while busy and marks the submit action busy", () => {
    const onSubmit = vi.fn();
    render(
      <TestForm busy onSubmit={onSubmit}>
        <Action type="submit">Go</Action>
      </TestForm>,
    );
    const button = screen.getByRole("button", { name: "Go" });
    expect(button.hasAttribute("data-busy")).toBe(true);
    expect(button.closest("form")?.getAttribute("aria-busy")).toBe("true");
    fireEvent.click(button);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("throws a coded error for an input outside a form or without a field", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(() => render(<Input />)).toThrowError(expect.objectContaining({ code: "form_root_missing" }) as Error);
    expect(() =>
      render(
        <TestForm>
          <Input />
        </TestForm>,
      ),
    ).toThrowError(expect.objectContaining({ code: "field_missing" }) as Error);
    errors.mockRestore();
  });
});

describe("render prop", () => {
  it("swaps the element for a cloned one, merging class, style and handlers", () => {
    const mine = vi.fn();
    const theirs = vi.fn();
    render(
      <Action part="signIn-back" className="mine" style={{ color: "red" }} onClick={mine} render={<a href="/help" className="theirs" style={{ margin: 1 }} onClick={theirs} />}>
        Help
      </Action>,
    );
    const link = screen.getByRole("link", { name: "Help" });
    expect(link.tagName).toBe("A");
    expect(link.getAttribute("href")).toBe("/help");
    expect(link.className).toBe("lk-signIn-back mine theirs");
    expect(link.hasAttribute("type")).toBe(false);
    expect(link.style.color).toBe("red");
    expect(link.style.margin).toBe("1px");
    fireEvent.click(link);
    expect(theirs).toHaveBeenCalledTimes(1);
    expect(mine).toHaveBeenCalledTimes(1);
  });

  it("hands the props to a render function", () => {
    render(<Box part="signIn-title" state={{ step: "password", busy: true, gone: false }} render={({ ref: _ref, ...props }) => <h2 {...props} data-own="1" />}>Title</Box>);
    const heading = screen.getByRole("heading", { level: 2 });
    expect(heading.className).toBe("lk-signIn-title");
    expect(heading.getAttribute("data-step")).toBe("password");
    expect(heading.getAttribute("data-busy")).toBe("");
    expect(heading.hasAttribute("data-gone")).toBe(false);
    expect(heading.getAttribute("data-own")).toBe("1");
  });

  it("marks a disabled action", () => {
    render(<Action disabled>Nope</Action>);
    const button = screen.getByRole("button", { name: "Nope" });
    expect(button.hasAttribute("data-disabled")).toBe(true);
    expect(button.getAttribute("type")).toBe("button");
  });
});

describe("OtpInput", () => {
  it("keeps digits only, up to length, and submits once complete", () => {
    const onSubmit = vi.fn();
    render(
      <TestForm onSubmit={onSubmit}>
        <Field name="code">
          <Label>Code</Label>
          <OtpInput length={6} />
        </Field>
      </TestForm>,
    );
    const input = screen.getByLabelText("Code") as HTMLInputElement;
    expect(input.autocomplete).toBe("one-time-code");
    expect(input.inputMode).toBe("numeric");
    fireEvent.change(input, { target: { value: "12a3" } });
    expect(input.value).toBe("123");
    expect(input.hasAttribute("data-complete")).toBe(false);
    expect(onSubmit).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: "123 456 789" } });
    expect(input.value).toBe("123456");
    expect(input.hasAttribute("data-complete")).toBe(true);
    expect(onSubmit).toHaveBeenCalledWith({ code: "123456" });
  });

  it("calls onComplete instead when given, and does nothing with null", () => {
    const onComplete = vi.fn();
    const onSubmit = vi.fn();
    render(
      <TestForm onSubmit={onSubmit}>
        <OtpInput name="code" length={4} onComplete={onComplete} aria-label="a" />
        <OtpInput name="other" length={4} onComplete={null} aria-label="b" />
      </TestForm>,
    );
    fireEvent.change(screen.getByLabelText("a"), { target: { value: "1234" } });
    fireEvent.change(screen.getByLabelText("b"), { target: { value: "1234" } });
    expect(onComplete).toHaveBeenCalledWith("1234");
    expect(onSubmit).not.toHaveBeenCalled();
  });
});

describe("Modal", () => {
  function Harness() {
    const [open, setOpen] = useState(false);
    return (
      <>
        <button onClick={() => setOpen(true)}>Open</button>
        <Modal open={open} onOpenChange={setOpen} label="Sign in" part="signIn-modal">
          <input aria-label="first" />
          <button>last</button>
        </Modal>
      </>
    );
  }

  it("opens as a modal dialog, cycles Tab inside, closes on Escape and returns focus", async () => {
    render(<Harness />);
    const opener = screen.getByRole("button", { name: "Open" });
    opener.focus();
    await act(async () => fireEvent.click(opener));
    const dialog = document.querySelector("dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-label")).toBe("Sign in");
    expect(dialog.className).toBe("lk-signIn-modal");
    expect(dialog.hasAttribute("data-open")).toBe(true);

    const first = screen.getByLabelText("first");
    const last = screen.getByRole("button", { name: "last" });
    last.focus();
    fireEvent.keyDown(dialog, { key: "Tab" });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(dialog, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(last);

    await act(async () => fireEvent.keyDown(dialog, { key: "Escape" }));
    expect(dialog.open).toBe(false);
    expect(screen.queryByLabelText("first")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("closes on a click on the backdrop, not inside", async () => {
    render(<Harness />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Open" })));
    const dialog = document.querySelector("dialog") as HTMLDialogElement;
    await act(async () => fireEvent.click(screen.getByLabelText("first")));
    expect(dialog.open).toBe(true);
    // A text selection that starts in a field and ends on the backdrop keeps it open.
    await act(async () => {
      fireEvent.pointerDown(screen.getByLabelText("first"));
      fireEvent.click(dialog, { detail: 1 });
    });
    expect(dialog.open).toBe(true);
    await act(async () => {
      fireEvent.pointerDown(dialog);
      fireEvent.click(dialog, { detail: 1 });
    });
    expect(dialog.open).toBe(false);
  });
});

describe("Avatar", () => {
  it("shows the picture when the user has one, else initials", () => {
    const { rerender } = render(<Avatar part="userButton-avatar" user={makeUser({ has_image: true, image_url: "https://img.example/a.png" })} />);
    const img = screen.getByRole("img", { name: "Ada Lovelace" });
    expect(img.tagName).toBe("IMG");
    expect(img.getAttribute("src")).toBe("https://img.example/a.png");
    expect(img.hasAttribute("data-has-image")).toBe(true);
    rerender(<Avatar part="userButton-avatar" user={makeUser({ first_name: "émile", last_name: null })} />);
    const initials = screen.getByRole("img", { name: "émile" });
    expect(initials.tagName).toBe("SPAN");
    expect(initials.textContent).toBe("É");
    expect(initials.className).toBe("lk-userButton-avatar");
  });

  it("is hidden from assistive technology when decorative", () => {
    render(
      <AppearanceScope appearance={{ classNames: { "userButton-avatar": "round" } }}>
        <Avatar part="userButton-avatar" alt="" user={makeUser({ first_name: null, last_name: null, username: "zed" })} />
      </AppearanceScope>,
    );
    const span = document.querySelector(".lk-userButton-avatar") as HTMLElement;
    expect(span.textContent).toBe("Z");
    expect(span.getAttribute("aria-hidden")).toBe("true");
    expect(span.className).toBe("lk-userButton-avatar round");
  });
});
