// The parts registry is the source of truth for part classes: this test
// renders every component in every step (and, for the user components,
// clicks through everything they open), and fails when an element carries no
// part class, uses a part missing from the registry, or when a registered
// part never appears.

import type { ReactNode } from "react";
import { afterAll, describe, expect, it } from "vitest";
import { act, cleanup, fireEvent, render } from "@testing-library/react";
import type { SignInStep, SignUpStep } from "@latchkey/js";
import { LatchkeyProvider, SignIn, SignInButton, SignUp, SignUpButton, UserButton, UserProfile } from "../src/index";
import { allPartNames, isPartName, type PartName } from "../src/parts/registry";
import { FakeClient, type FakeSignInFlow, type FakeSignUpFlow } from "./fake-client";
import { makeDevice, makeEmailAddress, makeEnvironment, makeExternalAccount, makeUser, socialProviders } from "./fixtures";

const seen = new Set<string>();

/** check collects the parts of every element the test rendered, and returns the problems. */
function check(label: string): string[] {
  const problems: string[] = [];
  for (const element of Array.from(document.body.querySelectorAll("*"))) {
    if (element.parentElement === document.body && element.tagName === "DIV" && element.attributes.length === 0) continue;
    // lk-<part>__<modifier> (a provider's button) is a modifier of a registered part.
    const parts = Array.from(element.classList).filter((c) => c.startsWith("lk-") && c !== "lk-root").map((c) => c.slice(3).split("__")[0] ?? "");
    if (parts.length === 0) problems.push(`${label}: <${element.tagName.toLowerCase()} class="${element.className}"> has no part class (${element.outerHTML.slice(0, 120)})`);
    for (const part of parts) {
      if (!isPartName(part)) problems.push(`${label}: lk-${part} is not in the parts registry`);
      seen.add(part);
    }
  }
  return problems;
}

function Wrap({ client, children }: { client: FakeClient; children: ReactNode }) {
  return <LatchkeyProvider client={client}>{children}</LatchkeyProvider>;
}

const branded = makeEnvironment({ social: socialProviders, branding: { logo_url: "https://img.example/logo.png" }, sign_up: { legal_consent_required: true }, identifiers: { username: { enabled: true }, phone_number: { enabled: true } } });
const layout = { layout: { termsPageUrl: "/terms", privacyPageUrl: "/privacy" } };

const signInSteps: SignInStep[] = ["identifier", "password", "choose_strategy", "email_code", "email_link", "forgot_password", "reset_code", "reset_link", "new_password", "complete"];
const signUpSteps: SignUpStep[] = ["start", "verify_email_code", "verify_email_link", "continue", "complete"];

describe("parts registry", () => {
  it("covers <SignIn /> in every step, with errors, busy, loading and as a modal", async () => {
    const problems: string[] = [];
    for (const mode of ["page", "modal"] as const) {
      const client = new FakeClient({ environment: branded });
      render(
        <Wrap client={client}>
          <SignIn mode={mode} open onComplete={() => undefined} />
        </Wrap>,
      );
      const flow = client.signInFlows[0] as FakeSignInFlow;
      await act(async () => {
        flow.setField("identifier", "ada@example.com");
        await flow.submitIdentifier();
      });
      for (const step of signInSteps) {
        await act(async () => flow.go(step));
        problems.push(...check(`signIn ${mode} ${step}`));
        await act(async () => flow.fail("form_code_incorrect", step === "new_password" ? "new_password" : step === "password" ? "password" : "code"));
        problems.push(...check(`signIn ${mode} ${step} field error`));
        await act(async () => flow.fail("rate_limit_exceeded"));
        problems.push(...check(`signIn ${mode} ${step} global error`));
      }
      await act(async () => flow.go("identifier"));
      const release = client.hold();
      await act(async () => void flow.submitIdentifier());
      problems.push(...check(`signIn ${mode} busy`));
      await act(async () => release());
      cleanup();
    }
    render(
      <Wrap client={new FakeClient({ environment: null, loaded: false })}>
        <SignIn />
      </Wrap>,
    );
    problems.push(...check("signIn loading"));
    cleanup();
    render(
      <Wrap client={new FakeClient()}>
        <SignInButton />
        <SignInButton mode="modal" />
      </Wrap>,
    );
    problems.push(...check("signIn buttons"));
    expect(problems).toEqual([]);
  });

  it("covers <SignUp /> in every step, with errors, restricted mode and as a modal", async () => {
    const problems: string[] = [];
    for (const mode of ["page", "modal"] as const) {
      const client = new FakeClient({ environment: branded });
      render(
        <Wrap client={client}>
          <SignUp mode={mode} open onComplete={() => undefined} appearance={layout} />
        </Wrap>,
      );
      const flow = client.signUpFlows[0] as FakeSignUpFlow;
      for (const step of signUpSteps) {
        await act(async () => {
          flow.setField("email_address", "ada@example.com");
          flow.go(step);
        });
        problems.push(...check(`signUp ${mode} ${step}`));
        await act(async () => flow.fail("form_param_missing", step === "start" ? "legal_accepted" : step === "continue" ? "username" : "code"));
        problems.push(...check(`signUp ${mode} ${step} field error`));
        await act(async () => flow.fail("rate_limit_exceeded"));
        problems.push(...check(`signUp ${mode} ${step} global error`));
      }
      cleanup();
    }
    for (const env of [makeEnvironment({ sign_up: { mode: "restricted" } }), null]) {
      render(
        <Wrap client={new FakeClient({ environment: env, loaded: env !== null })}>
          <SignUp />
          <SignUpButton />
          <SignUpButton mode="modal" />
        </Wrap>,
      );
      problems.push(...check(`signUp ${env ? "restricted" : "loading"}`));
      cleanup();
    }
    expect(problems).toEqual([]);
  });

  it("covers <UserButton /> and <UserProfile /> in everything they open, failing or not", async () => {
    const problems: string[] = [];
    const views: [string, () => ReactNode][] = [
      ["userButton", () => <UserButton showName />],
      ["userProfile", () => <UserProfile />],
      ["userProfile modal", () => <UserProfile mode="modal" open onOpenChange={() => undefined} />],
    ];
    const failures: [string, string | null, string?][] = [
      ["", null],
      [" (global errors)", "internal_error"],
      [" (field errors)", "form_param_format_invalid", "first_name"],
      [" (code errors)", "form_code_incorrect", "code"],
    ];
    for (const [name, view] of views) {
      for (const [suffix, code, param] of failures) {
        const endings = new Set<string>();
        problems.push(...(await explore(userClient(code, param), view, `${name}${suffix}`, null, endings)));
        for (const ending of endings) problems.push(...(await explore(userClient(code, param), view, `${name}${suffix}`, ending, new Set())));
      }
      const held = userClient(null);
      held.hold();
      problems.push(...(await explore(held, view, `${name} while requests are in flight`, null, new Set())));
      const unloaded = userClient(null);
      unloaded.setState({ environment: null });
      render(<Wrap client={unloaded}>{view()}</Wrap>);
      problems.push(...check(`${name} before the environment loaded`));
      cleanup();
    }
    expect(problems).toEqual([]);
  });

  afterAll(() => {
    const missing = allPartNames().filter((name: PartName) => !seen.has(name));
    expect(missing, "registered parts that no component rendered").toEqual([]);
  });
});

function userClient(code: string | null, param?: string): FakeClient {
  const user = makeUser({
    username: "ada",
    has_image: true,
    image_url: "https://img.example/ada.png",
    email_addresses: [
      makeEmailAddress(),
      makeEmailAddress({ id: "idn_email_2", email_address: "ada@work.example" }),
      makeEmailAddress({ id: "idn_email_3", email_address: "ada@old.example", verification: null }),
    ],
    external_accounts: [makeExternalAccount({ provider: "google" })],
  });
  const second = makeUser({ id: "user_2", first_name: "Grace", last_name: "Hopper" });
  const env = makeEnvironment({ social: socialProviders, session: { multi_session: true }, identifiers: { username: { enabled: true, used_for_sign_in: true } } });
  const client = new FakeClient({ user, environment: env, devices: [makeDevice({ id: "sess_1", current: true }), makeDevice({ id: "sess_2", current: false })] });
  const first = client.getState().sessions[0];
  if (first) client.setState({ sessions: [first, { ...first, id: "sess_2", user: second }] });
  client.failAll(code, param);
  return client;
}

// explore renders view and checks the parts after each click on anything
// clickable it has not clicked yet (opening menus, sections, forms and
// confirmations), filling inputs first. Clicks that end something (sign out,
// delete, remove, revoke) are collected in endings instead, except the one
// named allowed, which a fresh render explores separately.
async function explore(client: FakeClient, view: () => ReactNode, label: string, allowed: string | null, endings: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  render(<Wrap client={client}>{view()}</Wrap>);
  await settle();
  problems.push(...check(label));
  const clicked = new Set<string>();
  for (let round = 0; round < 60; round++) {
    const candidates = clickables().filter((el) => !clicked.has(key(el)));
    for (const el of candidates) if (ending(el)) endings.add(key(el));
    // The allowed ending first (before another click closes what shows it),
    // then everything on the current page, navigation last, so no page is
    // left half explored.
    const allowedHere = candidates.filter((el) => !ending(el) || key(el) === allowed);
    const next = allowedHere.find((el) => key(el) === allowed) ?? allowedHere.find((el) => !navigation(el)) ?? allowedHere[0];
    if (!next) break;
    clicked.add(key(next));
    fillInputs(client);
    await act(async () => fireEvent.click(next));
    await settle();
    problems.push(...check(`${label} after ${key(next)}`));
  }
  cleanup();
  return problems;
}
// settle lets the fake's answers (a few promise hops each) arrive and render.
async function settle() {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

function clickables(): HTMLElement[] {
  return Array.from(document.body.querySelectorAll<HTMLElement>("button, [role=menuitem], [role=tab], a[href]")).filter((el) => !(el as HTMLButtonElement).disabled);
}

function key(el: HTMLElement): string {
  return `${el.className}|${el.textContent?.trim() ?? ""}`;
}

function navigation(el: HTMLElement): boolean {
  return el.closest("nav, [role=tablist], [role=navigation]") !== null;
}

function ending(el: HTMLElement): boolean {
  return /sign ?out|delete|remove|revoke|disconnect/i.test(el.textContent ?? "") && !/cancel/i.test(el.textContent ?? "");
}

function fillInputs(client: FakeClient) {
  for (const input of Array.from(document.body.querySelectorAll<HTMLInputElement>("input:not([type=checkbox]):not([type=file]):not([hidden])"))) {
    if (input.value) continue;
    const value = input.autocomplete === "one-time-code" ? client.code : input.type === "email" ? "new@example.com" : input.type === "password" ? client.password : "Name";
    fireEvent.change(input, { target: { value } });
  }
}
