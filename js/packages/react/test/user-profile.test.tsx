import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, screen, within } from "@testing-library/react";
import { UserProfile } from "../src/components/user-profile";
import { pagesOf, sectionRegistry, sectionsOf, type SectionDefinition } from "../src/components/user-profile/sections";
import { relativeTime } from "../src/components/user-profile/relative-time";
import { fr } from "../src/localization/fr";
import { en } from "../src/localization/en";
import { commonParts } from "../src/parts/common";
import { userProfileParts } from "../src/parts/user-profile";
import { FakeClient, type FakeClientInit } from "./fake-client";
import { makeDevice, makeEmailAddress, makeEnvironment, makeExternalAccount, makeUser, socialProviders } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  vi.restoreAllMocks();
});

const work = makeEmailAddress({ id: "idn_email_2", email_address: "ada@work.example", verification: null });
const home = makeEmailAddress({ id: "idn_email_3", email_address: "ada@home.example" });

function setup(props: Parameters<typeof UserProfile>[0] = {}, init: FakeClientInit = {}) {
  const client = new FakeClient({ user: makeUser(), ...init });
  const result = renderWithClient(<UserProfile {...props} />, { client });
  return { ...result, client };
}

async function press(name: string | RegExp, scope: HTMLElement = document.body) {
  await act(async () => fireEvent.click(within(scope).getByRole("button", { name })));
}

async function type(label: string | RegExp, value: string) {
  await act(async () => fireEvent.change(screen.getByLabelText(label), { target: { value } }));
}

async function settle() {
  await act(async () => undefined);
}

function section(name: string): HTMLElement {
  return screen.getByRole("region", { name });
}

/** partProblems lists the elements inside root without a part of <UserProfile /> (or a shared one). */
function partProblems(root: Element): string[] {
  const known = new Set<string>([...userProfileParts.map((p) => `userProfile-${p}`), ...commonParts.map((p) => `common-${p}`)]);
  const problems: string[] = [];
  for (const element of [root, ...Array.from(root.querySelectorAll("*"))]) {
    const parts = Array.from(element.classList).filter((c) => c.startsWith("lk-") && c !== "lk-root");
    if (parts.length === 0) problems.push(`<${element.tagName.toLowerCase()}> has no part: ${element.outerHTML.slice(0, 100)}`);
    for (const part of parts) if (!known.has(part.slice(3))) problems.push(`${part} is not a part of <UserProfile />`);
  }
  return problems;
}

describe("<UserProfile />", () => {
  it("renders nothing while loading or signed out, and a loading card until the environment is known", async () => {
    const loading = setup({}, { user: null, loaded: false, environment: null });
    expect(loading.container.innerHTML).toBe("");
    loading.unmount();
    const signedOut = renderWithClient(<UserProfile />);
    expect(signedOut.container.innerHTML).toBe("");
    signedOut.unmount();
    const noEnvironment = setup({}, { environment: null });
    expect(screen.getByRole("status").textContent).toBe("Loading…");
    expect(noEnvironment.container.querySelector(".lk-userProfile-root")?.hasAttribute("data-loading")).toBe(true);
    await act(async () => noEnvironment.client.setState({ environment: makeEnvironment() }));
    expect(screen.getByRole("heading", { level: 1, name: "Account" })).toBeTruthy();
  });

  it("navigates between the Profile and Security pages", async () => {
    const { container } = setup();
    const nav = screen.getByRole("navigation", { name: "Account sections" });
    const profile = within(nav).getByRole("button", { name: "Profile" });
    expect(profile.getAttribute("aria-current")).toBe("true");
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Profile details");
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Profile", "Email addresses"]);
    await press("Security", nav);
    expect(within(nav).getByRole("button", { name: "Security" }).getAttribute("aria-current")).toBe("true");
    expect(profile.hasAttribute("aria-current")).toBe(false);
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Password", "Active devices", "Delete account"]);
    expect(container.querySelector(".lk-userProfile-content")?.getAttribute("data-page")).toBe("security");
    expect(container.querySelector(".lk-userProfile-root")?.getAttribute("data-mode")).toBe("page");
  });

  it("opens on the page initialPage names", () => {
    setup({ initialPage: "security" });
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Security");
  });

  describe("Profile", () => {
    it("edits the name through me.update, sending only what changed, and gives focus back", async () => {
      const { client, container } = setup();
      const update = vi.spyOn(client.me, "update");
      expect(container.querySelector(".lk-userProfile-profileName")?.textContent).toBe("Ada Lovelace");
      expect(container.querySelector(".lk-userProfile-avatar")?.textContent).toBe("AL");
      await press("Edit profile");
      const first = screen.getByLabelText("First name") as HTMLInputElement;
      expect(first.value).toBe("Ada");
      expect(first.autocomplete).toBe("given-name");
      expect((screen.getByLabelText("Last name") as HTMLInputElement).autocomplete).toBe("family-name");
      expect(document.activeElement).toBe(first);
      expect(screen.queryByLabelText("Username")).toBeNull();
      await type("First name", " Augusta ");
      await press("Save");
      expect(update).toHaveBeenCalledWith({ first_name: "Augusta" });
      expect(container.querySelector(".lk-userProfile-profileName")?.textContent).toBe("Augusta Lovelace");
      expect(screen.getByRole("status").textContent).toBe("Your profile was updated.");
      expect(screen.queryByLabelText("First name")).toBeNull();
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Edit profile" }));
    });

    it("shows a field error on its field and keeps the form open", async () => {
      const { client } = setup();
      client.failNext("me.update", "form_param_format_invalid", "last_name");
      await press("Edit profile");
      await type("Last name", "L\u0007");
      await press("Save");
      const last = screen.getByLabelText("Last name");
      expect(last.getAttribute("aria-invalid")).toBe("true");
      const error = screen.getByRole("alert");
      expect(error.textContent).toBe(en.errors.form_param_format_invalid);
      expect(last.getAttribute("aria-describedby")).toBe(error.id);
      expect(screen.getByLabelText("First name").hasAttribute("aria-invalid")).toBe(false);
      await press("Cancel");
      expect(screen.queryByLabelText("Last name")).toBeNull();
    });

    it("edits the username when the instance has usernames, and shows a global error for the rest", async () => {
      const { client, container } = setup({}, { user: makeUser({ username: "ada" }), environment: makeEnvironment({ identifiers: { username: { enabled: true } } }) });
      expect(container.querySelector(".lk-userProfile-profileUsername")?.textContent).toBe("ada");
      await press("Edit profile");
      const username = screen.getByLabelText("Username") as HTMLInputElement;
      expect(username.value).toBe("ada");
      expect(username.autocomplete).toBe("username");
      client.failNext("me.update", "rate_limit_exceeded");
      await type("Username", "countess");
      await press("Save");
      expect(screen.getByRole("alert").textContent).toBe(en.errors.rate_limit_exceeded);
      expect(container.querySelector(".lk-userProfile-globalError")?.getAttribute("data-code")).toBe("rate_limit_exceeded");
      await press("Save");
      expect(container.querySelector(".lk-userProfile-profileUsername")?.textContent).toBe("countess");
    });

    it("uploads, replaces and removes the profile image", async () => {
      const { client, container } = setup();
      const input = container.querySelector(".lk-userProfile-imageFile") as HTMLInputElement;
      expect(input.type).toBe("file");
      expect(input.accept).toBe("image/png,image/jpeg,image/gif,image/webp");
      expect(screen.queryByRole("button", { name: "Remove image" })).toBeNull();
      const click = vi.spyOn(input, "click");
      await press("Upload image");
      expect(click).toHaveBeenCalled();

      const file = new File([new Uint8Array(42)], "me.png", { type: "image/png" });
      await act(async () => fireEvent.change(input, { target: { files: [file] } }));
      await settle();
      expect(client.calls).toContain("me.setProfileImage");
      expect((container.querySelector("img.lk-userProfile-avatar") as HTMLImageElement).src).toBe("https://img.example/42.png");
      expect(screen.getByRole("status").textContent).toBe("Your profile image was updated.");
      expect(screen.getByRole("button", { name: "Replace image" })).toBeTruthy();

      client.failNext("me.setProfileImage", "unsupported_media_type", "file");
      await act(async () => fireEvent.change(input, { target: { files: [file] } }));
      await settle();
      expect(screen.getByRole("alert").textContent).toBe(en.errors.unsupported_media_type);

      await press("Remove image");
      expect(client.calls).toContain("me.removeProfileImage");
      expect(container.querySelector("img.lk-userProfile-avatar")).toBeNull();
      expect(screen.queryByRole("alert")).toBeNull();
      expect(screen.getByRole("status").textContent).toBe("Your profile image was removed.");
    });
  });

  describe("Email addresses", () => {
    const user = makeUser({ email_addresses: [work, makeEmailAddress(), home] });

    it("lists the primary address first, with Primary and Unverified badges and the actions each allows", () => {
      setup({}, { user });
      const list = section("Email addresses").querySelector("ul") as HTMLElement;
      const rows = within(list).getAllByRole("listitem");
      expect(rows.map((r) => r.querySelector(".lk-userProfile-emailAddress")?.textContent)).toEqual(["ada@example.com", "ada@work.example", "ada@home.example"]);
      const [primary, unverified, verified] = rows as [HTMLElement, HTMLElement, HTMLElement];
      expect(within(primary).getByText("Primary").getAttribute("data-variant")).toBe("primary");
      expect(primary.hasAttribute("data-primary")).toBe(true);
      expect(within(primary).queryAllByRole("button")).toEqual([]);
      expect(within(unverified).getByText("Unverified").getAttribute("data-variant")).toBe("unverified");
      expect(within(unverified).getAllByRole("button").map((b) => b.textContent)).toEqual(["Verify", "Remove"]);
      expect(within(verified).getAllByRole("button").map((b) => b.textContent)).toEqual(["Make primary", "Remove"]);
      expect(within(verified).getByRole("group", { name: "Actions for ada@home.example" })).toBeTruthy();
    });

    it("adds an address: the code is sent, a wrong one is refused on its field, the right one verifies it", async () => {
      const { client } = setup();
      await press("Add email address");
      const input = screen.getByLabelText("Email address") as HTMLInputElement;
      expect(input.type).toBe("email");
      expect(input.autocomplete).toBe("email");
      expect(document.activeElement).toBe(input);
      await type("Email address", "ada@new.example");
      await press("Add");
      expect(client.calls.slice(-2)).toEqual(["me.createEmailAddress", "me.prepareEmailVerification"]);
      const row = screen.getByText("ada@new.example").closest("li") as HTMLElement;
      expect(within(row).getByText("Enter the code we sent to ada@new.example.")).toBeTruthy();
      const code = within(row).getByLabelText("Verification code") as HTMLInputElement;
      expect(code.autocomplete).toBe("one-time-code");
      expect(document.activeElement).toBe(code);

      await act(async () => fireEvent.change(code, { target: { value: "111111" } }));
      await settle();
      expect(code.getAttribute("aria-invalid")).toBe("true");
      expect(within(row).getByRole("alert").textContent).toBe(en.errors.form_code_incorrect);

      await press("Resend code", row);
      expect(client.calls.at(-1)).toBe("me.prepareEmailVerification");
      expect(within(row).getByRole("status").textContent).toBe("A new code was sent to ada@new.example.");

      await act(async () => fireEvent.change(code, { target: { value: client.code } }));
      await settle();
      expect(client.calls.at(-1)).toBe("me.attemptEmailVerification");
      expect(within(row).queryByText("Unverified")).toBeNull();
      expect(within(row).queryByLabelText("Verification code")).toBeNull();
      expect(screen.getByRole("status").textContent).toBe("ada@new.example is verified.");
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Add email address" }));
    });

    it("shows an address that is taken on the field", async () => {
      const { client } = setup();
      client.failNext("me.createEmailAddress", "form_identifier_exists", "email_address");
      await press("Add email address");
      await type("Email address", "grace@example.com");
      await press("Add");
      expect(screen.getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
      expect(screen.getByRole("alert").textContent).toBe(en.errors.form_identifier_exists);
      expect(client.calls).not.toContain("me.prepareEmailVerification");
    });

    it("opens the verification of an added address even when sending its code failed, with the error", async () => {
      const { client } = setup();
      client.failNext("me.prepareEmailVerification", "rate_limit_exceeded");
      await press("Add email address");
      await type("Email address", "ada@new.example");
      await press("Add");
      const row = screen.getByText("ada@new.example").closest("li") as HTMLElement;
      expect(within(row).getByRole("alert").textContent).toBe(en.errors.rate_limit_exceeded);
      expect(within(row).getByLabelText("Verification code")).toBeTruthy();
    });

    it("verifies an unverified address from its Verify button, or cancels", async () => {
      const { client } = setup({}, { user });
      const row = screen.getByText("ada@work.example").closest("li") as HTMLElement;
      await press("Verify", row);
      expect(client.calls.at(-1)).toBe("me.prepareEmailVerification");
      expect(within(row).queryByRole("button", { name: "Verify" }), "the form's submit replaces it").not.toBeNull();
      expect(within(row).getByLabelText("Verification code")).toBeTruthy();
      await press("Cancel", row);
      expect(within(row).queryByLabelText("Verification code")).toBeNull();
      await press("Verify", row);
      await act(async () => fireEvent.change(within(row).getByLabelText("Verification code"), { target: { value: client.code } }));
      await settle();
      expect(within(row).queryByText("Unverified")).toBeNull();
      expect(within(row).getByRole("button", { name: "Make primary" })).toBeTruthy();
    });

    it("makes a verified address primary", async () => {
      const { client } = setup({}, { user });
      await press("Make primary", screen.getByText("ada@home.example").closest("li") as HTMLElement);
      expect(client.calls).toContain("me.makePrimaryEmailAddress");
      expect(client.getState().user?.primary_email_address_id).toBe("idn_email_3");
      const first = section("Email addresses").querySelector("li") as HTMLElement;
      expect(first.querySelector(".lk-userProfile-emailAddress")?.textContent).toBe("ada@home.example");
      expect(within(first).getByText("Primary")).toBeTruthy();
      expect(screen.getByRole("status").textContent).toBe("ada@home.example is now your primary email address.");
    });

    it("shows an action's error in its row", async () => {
      const { client } = setup({}, { user });
      client.failNext("me.makePrimaryEmailAddress", "form_param_value_invalid");
      const row = screen.getByText("ada@home.example").closest("li") as HTMLElement;
      await press("Make primary", row);
      expect(within(row).getByRole("alert").textContent).toBe(en.errors.form_param_value_invalid);
    });

    it("removes an address only after confirmation, showing the server's refusal in place", async () => {
      const { client } = setup({}, { user });
      const row = screen.getByText("ada@home.example").closest("li") as HTMLElement;
      const remove = within(row).getByRole("button", { name: "Remove" });
      await act(async () => fireEvent.click(remove));
      expect(within(row).getByText("Remove ada@home.example? You will no longer be able to sign in with it.")).toBeTruthy();
      expect(client.calls).not.toContain("me.deleteEmailAddress");
      const confirm = row.querySelector(".lk-userProfile-confirmSubmit") as HTMLButtonElement;
      expect(document.activeElement).toBe(confirm);
      await press("Cancel", row);
      expect(row.querySelector(".lk-userProfile-confirm")).toBeNull();
      expect(document.activeElement).toBe(remove);

      client.failNext("me.deleteEmailAddress", "form_identifier_last_one");
      await act(async () => fireEvent.click(remove));
      await act(async () => fireEvent.click(row.querySelector(".lk-userProfile-confirmSubmit") as Element));
      expect(within(row).getByRole("alert").textContent).toBe(en.errors.form_identifier_last_one);
      await act(async () => fireEvent.click(row.querySelector(".lk-userProfile-confirmSubmit") as Element));
      expect(client.calls.filter((c) => c === "me.deleteEmailAddress")).toHaveLength(2);
      expect(screen.queryByText("ada@home.example", { selector: ".lk-userProfile-emailAddress" })).toBeNull();
      expect(screen.getByRole("status").textContent).toBe("ada@home.example was removed.");
    });

    it("offers no Add button when the instance has no email addresses", () => {
      setup({}, { environment: makeEnvironment({ identifiers: { email_address: { enabled: false } } }) });
      expect(screen.getByText("ada@example.com")).toBeTruthy();
      expect(screen.queryByRole("button", { name: "Add email address" })).toBeNull();
    });
  });

  describe("Password", () => {
    it("changes the password: wrong current password and breached new one shown on their fields", async () => {
      const { client } = setup({ initialPage: "security" });
      const change = vi.spyOn(client.me, "changePassword");
      expect(screen.getByText("A password is set for your account.")).toBeTruthy();
      await press("Change password");
      const current = screen.getByLabelText("Current password") as HTMLInputElement;
      const next = screen.getByLabelText("New password") as HTMLInputElement;
      expect(current.type).toBe("password");
      expect(current.autocomplete).toBe("current-password");
      expect(next.autocomplete).toBe("new-password");
      expect(document.activeElement).toBe(current);
      const signOutOthers = screen.getByLabelText("Sign out of all other devices") as HTMLInputElement;
      expect(signOutOthers.checked).toBe(true);
      const username = section("Password").querySelector(".lk-userProfile-passwordUsername") as HTMLInputElement;
      expect(username.autocomplete).toBe("username");
      expect(username.value).toBe("ada@example.com");

      await type("Current password", "not it");
      await type("New password", "a long new passphrase");
      await press("Save");
      expect(current.getAttribute("aria-invalid")).toBe("true");
      expect(next.hasAttribute("aria-invalid")).toBe(false);
      expect(screen.getByRole("alert").textContent).toBe(en.errors.form_password_incorrect);

      client.failNext("me.changePassword", "form_password_pwned", "new_password");
      await type("Current password", client.password);
      await type("New password", "password123");
      await press("Save");
      expect(next.getAttribute("aria-invalid")).toBe("true");
      expect(current.hasAttribute("aria-invalid")).toBe(false);
      expect(screen.getByRole("alert").textContent).toBe(en.errors.form_password_pwned);
      expect(next.getAttribute("aria-describedby")).toBe(screen.getByRole("alert").id);

      await act(async () => fireEvent.click(signOutOthers));
      await type("New password", "a long new passphrase");
      await press("Save");
      expect(change).toHaveBeenLastCalledWith({ currentPassword: "correct horse battery", newPassword: "a long new passphrase", signOutOfOtherSessions: false });
      expect(screen.getByRole("status").textContent).toBe("Your password was updated.");
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Change password" }));
    });

    it("sets a first password without asking for a current one", async () => {
      const { client } = setup({ initialPage: "security" }, { user: makeUser({ password_enabled: false }) });
      const change = vi.spyOn(client.me, "changePassword");
      expect(screen.getByText("No password is set. You sign in with an email code or link.")).toBeTruthy();
      await press("Set password");
      expect(screen.queryByLabelText("Current password")).toBeNull();
      expect(document.activeElement).toBe(screen.getByLabelText("New password"));
      await type("New password", "a long new passphrase");
      await press("Save");
      expect(change).toHaveBeenCalledWith({ newPassword: "a long new passphrase", signOutOfOtherSessions: true });
      expect(screen.getByText("A password is set for your account.")).toBeTruthy();
    });

    it("is left out when the instance has no passwords", () => {
      setup({ initialPage: "security" }, { environment: makeEnvironment({ password: { enabled: false } }) });
      expect(screen.queryByRole("region", { name: "Password" })).toBeNull();
    });
  });

  describe("Active devices", () => {
    const devices = [
      makeDevice({ id: "sess_2", current: false, browser_name: "Firefox", os_name: "Linux", ip_address: "198.51.100.4", city: "Lyon", country: "France", last_active_at: Date.now() - 3 * 3600_000 }),
      makeDevice({ id: "sess_1", current: true, last_active_at: Date.now() }),
      makeDevice({ id: "sess_3", current: false, browser_name: "", os_name: "", ip_address: "", last_active_at: Date.now() - 2 * 86_400_000 }),
    ];

    it("lists the devices, this one first, with browser, system, IP, place and last activity", async () => {
      const { container } = setup({ initialPage: "security" }, { devices });
      expect(within(section("Active devices")).getByRole("status").textContent).toBe("Loading your devices…");
      await settle();
      const rows = within(section("Active devices")).getAllByRole("listitem");
      expect(rows.map((r) => r.querySelector(".lk-userProfile-deviceName")?.textContent)).toEqual(["Chrome on macOS This device", "Firefox on Linux", "Unknown browser on unknown system"]);
      expect(rows[0]?.hasAttribute("data-current")).toBe(true);
      expect(rows[0]?.getAttribute("data-device-type")).toBe("desktop");
      expect(within(rows[0] as HTMLElement).queryByRole("button")).toBeNull();
      expect(rows[1]?.querySelector(".lk-userProfile-deviceMeta")?.textContent).toBe("IP address 198.51.100.4 · Lyon, France · Last active 3 hours ago");
      expect(rows[2]?.querySelector(".lk-userProfile-deviceMeta")?.textContent).toBe("Last active 2 days ago");
      expect(container.querySelector(".lk-userProfile-loading")).toBeNull();
    });

    it("signs another device out after confirmation", async () => {
      const { client } = setup({ initialPage: "security" }, { devices });
      const revoke = vi.spyOn(client.me, "revokeSession");
      await settle();
      const row = screen.getByText("Firefox on Linux").closest("li") as HTMLElement;
      const button = within(row).getByRole("button", { name: "Sign out device" });
      expect(button.getAttribute("aria-describedby")).toBe(row.querySelector(".lk-userProfile-deviceName")?.id);
      await act(async () => fireEvent.click(button));
      expect(within(row).getByText("Sign out Firefox on Linux? It will have to sign in again.")).toBeTruthy();
      expect(revoke).not.toHaveBeenCalled();
      await act(async () => fireEvent.click(row.querySelector(".lk-userProfile-confirmSubmit") as Element));
      expect(revoke).toHaveBeenCalledWith("sess_2");
      expect(screen.queryByText("Firefox on Linux")).toBeNull();
      expect(screen.getByRole("status").textContent).toBe("Firefox on Linux was signed out.");
    });

    it("shows why the list could not be loaded", async () => {
      const client = new FakeClient({ user: makeUser() });
      client.failNext("me.listSessions", "network_error");
      renderWithClient(<UserProfile initialPage="security" />, { client });
      await settle();
      expect(within(section("Active devices")).getByRole("alert").textContent).toBe(en.errors.network_error);
    });
  });

  describe("Delete account", () => {
    it("asks for the typed phrase, then deletes the account and leaves", async () => {
      const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
      const { client } = setup({ initialPage: "security", afterSignOutUrl: "/farewell" });
      const danger = section("Delete account");
      expect(within(danger).getByText("Delete your account and everything in it. This cannot be undone.")).toBeTruthy();
      await press("Delete account", danger);
      const submit = within(danger).getByRole("button", { name: "Delete my account" }) as HTMLButtonElement;
      expect(submit.disabled).toBe(true);
      await type('Type "Delete account" to confirm', "delete");
      expect(submit.disabled).toBe(true);
      await act(async () => fireEvent.submit(submit.closest("form") as HTMLFormElement));
      expect(client.calls).not.toContain("me.delete");
      await type('Type "Delete account" to confirm', "Delete account");
      expect(submit.disabled).toBe(false);
      await act(async () => fireEvent.click(submit));
      expect(client.calls).toContain("me.delete");
      expect(assign).toHaveBeenCalledWith("/farewell");
    });

    it("shows a refusal and stays", async () => {
      const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
      const { client } = setup({ initialPage: "security" });
      client.failNext("me.delete", "delete_self_disabled");
      await press("Delete account", section("Delete account"));
      await type('Type "Delete account" to confirm', "Delete account");
      await press("Delete my account");
      expect(screen.getByRole("alert").textContent).toBe(en.errors.delete_self_disabled);
      expect(assign).not.toHaveBeenCalled();
    });

    it("is left out when the instance does not let users delete themselves", () => {
      setup({ initialPage: "security" }, { environment: makeEnvironment({ delete_self_enabled: false }) });
      expect(screen.queryByRole("region", { name: "Delete account" })).toBeNull();
    });
  });

  describe("as a modal", () => {
    function Harness({ onOpenChange }: { onOpenChange: (open: boolean) => void }) {
      const [open, setOpen] = useState(false);
      return (
        <>
          <button type="button" onClick={() => setOpen(true)}>
            Account
          </button>
          <UserProfile
            mode="modal"
            open={open}
            onOpenChange={(next) => {
              onOpenChange(next);
              setOpen(next);
            }}
          />
        </>
      );
    }

    it("opens in a dialog, closes with Escape or the close button, and gives focus back", async () => {
      const onOpenChange = vi.fn();
      const { container } = renderWithClient(<Harness onOpenChange={onOpenChange} />, { init: { user: makeUser() } });
      const dialog = container.querySelector("dialog") as HTMLDialogElement;
      expect(dialog.open).toBe(false);
      expect(dialog.classList.contains("lk-userProfile-modal")).toBe(true);
      expect(dialog.querySelector(".lk-userProfile-root")).toBeNull();
      const opener = screen.getByRole("button", { name: "Account" });
      opener.focus();
      await press("Account");
      expect(dialog.open).toBe(true);
      expect(dialog.getAttribute("aria-label")).toBe("Account");
      expect(dialog.querySelector(".lk-userProfile-root")?.getAttribute("data-mode")).toBe("modal");
      await act(async () => fireEvent.keyDown(dialog, { key: "Escape" }));
      expect(onOpenChange).toHaveBeenLastCalledWith(false);
      expect(dialog.open).toBe(false);
      expect(document.activeElement).toBe(opener);
      await press("Account");
      await press("Close", dialog);
      expect(onOpenChange).toHaveBeenCalledTimes(2);
      expect(dialog.open).toBe(false);
      expect(document.activeElement).toBe(opener);
    });
  });

  it("speaks French with the fr locale, down to the errors", async () => {
    const { client } = setup({ localization: fr }, { devices: [makeDevice({ current: true, last_active_at: Date.now() - 5 * 60_000 })] });
    expect(screen.getByRole("heading", { level: 1, name: "Compte" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 2, name: "Informations du profil" })).toBeTruthy();
    expect(screen.getByRole("region", { name: "Adresses e-mail" })).toBeTruthy();
    expect(screen.getByText("Principale")).toBeTruthy();
    client.failNext("me.update", "form_param_format_invalid", "first_name");
    await press("Modifier le profil");
    await type("Prénom", "Augusta");
    await press("Enregistrer");
    expect(screen.getByLabelText("Prénom").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("alert").textContent).toBe(fr.errors.form_param_format_invalid);
    await press("Sécurité");
    await settle();
    expect(screen.getByText("Cet appareil")).toBeTruthy();
    expect(screen.getByText("Adresse IP 203.0.113.7 · Dernière activité : il y a 5 minutes")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Supprimer le compte" })).toBeTruthy();
  });

  it("gives every element a part of <UserProfile /> in every state it opens", async () => {
    const user = makeUser({ username: "ada", has_image: true, image_url: "https://img.example/ada.png", email_addresses: [makeEmailAddress(), work, home], external_accounts: [makeExternalAccount({ provider: "google" })] });
    const { client, container } = setup({ mode: "modal", open: true }, { user, environment: makeEnvironment({ social: socialProviders, identifiers: { username: { enabled: true } } }) });
    const seen = new Set<string>();
    const problems: string[] = [];
    const check = (label: string) => {
      const root = container.querySelector(".lk-userProfile-modal") as Element;
      problems.push(...partProblems(root).map((p) => `${label}: ${p}`));
      for (const el of [root, ...Array.from(root.querySelectorAll("*"))]) for (const c of Array.from(el.classList)) seen.add(c);
    };
    await settle();
    check("profile");
    await press("Edit profile");
    await type("First name", "Augusta");
    client.failNext("me.update", "form_param_format_invalid", "first_name");
    await press("Save");
    check("profile form with a field error");
    client.failNext("me.update", "rate_limit_exceeded");
    await press("Save");
    check("profile form with a global error");
    await press("Cancel");
    await press("Add email address");
    check("add email");
    await press("Cancel");
    await press("Verify");
    check("verify email");
    await act(async () => fireEvent.change(screen.getByLabelText("Verification code"), { target: { value: "000000" } }));
    await settle();
    check("verify email with an error");
    await press("Resend code");
    check("verify email resent");
    const homeRow = screen.getByText("ada@home.example").closest("li") as HTMLElement;
    await press("Remove", homeRow);
    check("confirm remove");
    await press("Disconnect");
    check("confirm disconnect");
    await press("Security");
    await settle();
    check("security");
    await press("Change password");
    await press("Sign out device");
    await press("Delete account");
    check("security forms");
    await act(async () => client.setState({ environment: null }));
    check("loading");
    expect(problems).toEqual([]);
    const missing = userProfileParts.filter((p) => !seen.has(`lk-userProfile-${p}`));
    expect(missing, "parts never rendered").toEqual([]);
  });
});

describe("the section registry", () => {
  const context = { user: makeUser(), environment: makeEnvironment() };

  it("puts each section on its page, in order, when available", () => {
    expect(sectionsOf("profile", context).map((s) => s.id)).toEqual(["profile", "emailAddresses"]);
    expect(sectionsOf("security", context).map((s) => s.id)).toEqual(["password", "devices", "deleteAccount"]);
    expect(pagesOf(context)).toEqual(["profile", "security"]);
  });

  it("shows nothing for capabilities the instance does not have yet", () => {
    const linked = { ...context, user: makeUser({ external_accounts: [makeExternalAccount({ provider: "github" })], two_factor_enabled: true }) };
    expect([...sectionsOf("profile", linked), ...sectionsOf("security", linked)].map((s) => s.id)).toEqual(["profile", "emailAddresses", "password", "devices", "deleteAccount"]);
  });

  it("takes a new section as one entry, shown only when available", () => {
    const Connected: SectionDefinition["Component"] = () => null;
    const registry: SectionDefinition[] = [...sectionRegistry, { id: "connectedAccounts", page: "profile", available: ({ user }) => user.external_accounts.length > 0, Component: Connected }];
    expect(sectionsOf("profile", context, registry).map((s) => s.id)).toEqual(["profile", "emailAddresses"]);
    const linked = { ...context, user: makeUser({ external_accounts: [makeExternalAccount({ provider: "github" })] }) };
    expect(sectionsOf("profile", linked, registry).map((s) => s.id)).toEqual(["profile", "emailAddresses", "connectedAccounts"]);
  });

  it("leaves a page without sections out of the navigation", () => {
    const registry = sectionRegistry.filter((s) => s.page === "profile");
    expect(pagesOf(context, registry)).toEqual(["profile"]);
  });
});

describe("relativeTime", () => {
  const now = Date.UTC(2026, 0, 10, 12);
  it.each([
    [now - 10_000, "en", "now"],
    [now - 5 * 60_000, "en", "5 minutes ago"],
    [now - 26 * 3600_000, "en", "yesterday"],
    [now - 3 * 7 * 86_400_000, "en", "3 weeks ago"],
    [now - 400 * 86_400_000, "en", "last year"],
    [now - 5 * 60_000, "fr", "il y a 5 minutes"],
    [now + 60_000, "en", "now"],
  ])("says %s in %s as %s", (time, locale, text) => {
    expect(relativeTime(time, now, locale)).toBe(text);
  });
});
