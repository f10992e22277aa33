import { describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { SignIn } from "../src/components/sign-in";
import { AppearanceScope, mergeAppearance } from "../src/styling/appearance";
import type { SubmitButtonProps } from "../src/styling/slots";
import { dataAttributes, usePart, useRootPart } from "../src/styling/use-part";
import { FakeClient } from "./fake-client";
import { renderWithClient } from "./render";

describe("appearance", () => {
  it("merges provider then component: classNames joined, styles and variables merged, unstyled overridden", () => {
    const merged = mergeAppearance(
      { classNames: { "signIn-submit": "a" }, styles: { "signIn-submit": { color: "red", margin: 1 } }, variables: { colorPrimary: "red", radius: "0" }, unstyled: true, layout: { logoPlacement: "none" } },
      { classNames: { "signIn-submit": "b", "signIn-root": "c" }, styles: { "signIn-submit": { color: "blue" } }, variables: { colorPrimary: "blue" }, unstyled: false },
    );
    expect(merged.classNames).toEqual({ "signIn-submit": "a b", "signIn-root": "c" });
    expect(merged.styles).toEqual({ "signIn-submit": { color: "blue", margin: 1 } });
    expect(merged.variables).toEqual({ colorPrimary: "blue", radius: "0" });
    expect(merged.unstyled).toBe(false);
    expect(merged.layout).toEqual({ logoPlacement: "none" });
  });

  it("reaches the rendered elements from the provider and the component", () => {
    renderWithClient(
      <SignIn
        appearance={{
          classNames: { "signIn-submit": "from-component" },
          styles: { "signIn-root": { maxWidth: "30rem" } },
          variables: { colorPrimary: "rebeccapurple" },
        }}
      />,
      { client: new FakeClient(), appearance: { classNames: { "signIn-submit": "from-provider", "signIn-title": "title" }, variables: { radius: "0px" } } },
    );
    expect(screen.getByRole("button", { name: "Continue" }).className).toBe("lk-signIn-submit from-provider from-component");
    expect(screen.getByRole("heading").className).toBe("lk-signIn-title title");
    const root = document.querySelector(".lk-signIn-root") as HTMLElement;
    expect(root.style.maxWidth).toBe("30rem");
    expect(root.style.getPropertyValue("--lk-color-primary")).toBe("rebeccapurple");
    expect(root.style.getPropertyValue("--lk-radius")).toBe("0px");
    expect(root.hasAttribute("data-lk-unstyled")).toBe(false);
  });

  it("unstyled marks the root so the skin applies no rule, and keeps the part classes", () => {
    renderWithClient(<SignIn appearance={{ unstyled: true }} />);
    const root = document.querySelector(".lk-signIn-root") as HTMLElement;
    expect(root.hasAttribute("data-lk-unstyled")).toBe(true);
    expect(root.className).toBe("lk-root lk-signIn-root");
    expect(screen.getByRole("button", { name: "Continue" }).className).toBe("lk-signIn-submit");
  });

  it("rejects an unknown variable with appearance_invalid", () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    function Root() {
      return <div {...useRootPart("signIn-root")} />;
    }
    expect(() =>
      render(
        <AppearanceScope appearance={{ variables: { colorPrimry: "red" } as never }}>
          <Root />
        </AppearanceScope>,
      ),
    ).toThrowError(expect.objectContaining({ code: "appearance_invalid" }) as Error);
    errors.mockRestore();
  });
});

describe("usePart", () => {
  it("gives the part class and data-* state", () => {
    function Probe() {
      return <span data-testid="p" {...usePart("signUp-field", { fieldName: "email_address", invalid: true, busy: false, count: 2, gone: null })} />;
    }
    render(<Probe />);
    const el = screen.getByTestId("p");
    expect(el.className).toBe("lk-signUp-field");
    expect(el.getAttribute("data-field-name")).toBe("email_address");
    expect(el.getAttribute("data-invalid")).toBe("");
    expect(el.getAttribute("data-count")).toBe("2");
    expect(el.hasAttribute("data-busy")).toBe(false);
    expect(el.hasAttribute("data-gone")).toBe(false);
  });

  it("dataAttributes kebab-cases keys", () => {
    expect(dataAttributes({ hasImage: true, step: "password", off: false })).toEqual({ "data-has-image": "", "data-step": "password" });
  });
});

describe("slots", () => {
  it("a swapped SubmitButton renders in place, gets the part props and still submits", async () => {
    const seen: SubmitButtonProps[] = [];
    function MyButton({ busy, ...props }: SubmitButtonProps) {
      seen.push({ busy, ...props });
      return <button {...props} data-mine="" data-is-busy={busy ? "yes" : "no"} />;
    }
    const client = new FakeClient();
    renderWithClient(<SignIn components={{ SubmitButton: MyButton }} />, { client });
    const button = screen.getByRole("button", { name: "Continue" });
    expect(button.hasAttribute("data-mine")).toBe(true);
    expect(button.className).toBe("lk-signIn-submit");
    expect(button.getAttribute("type")).toBe("submit");
    expect(seen.at(-1)?.busy).toBe(false);
    await act(async () => fireEvent.change(screen.getByLabelText("Email address"), { target: { value: "ada@example.com" } }));
    await act(async () => fireEvent.click(button));
    expect(client.signInFlows[0]?.actions).toContain("submitIdentifier");
    expect(screen.getByLabelText("Password")).toBeTruthy();
  });

  it("swaps the Input, Card and Link slots", () => {
    renderWithClient(
      <SignIn
        components={{
          Input: (props) => <input {...props} data-slot="input" />,
          Card: (props) => <section {...props} data-slot="card" />,
          Link: ({ href, ...props }) => <a {...props} href={`/app${href}`} />,
        }}
      />,
    );
    expect(screen.getByLabelText("Email address").getAttribute("data-slot")).toBe("input");
    expect(document.querySelector("section.lk-signIn-root")?.getAttribute("data-slot")).toBe("card");
    expect(screen.getByRole("link", { name: "Sign up" }).getAttribute("href")).toBe("/app/sign-up");
  });
});
