import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, screen } from "@testing-library/react";
import type { Session } from "@latchkey/js";
import { UserButton } from "../src/components/user-button";
import { UserProfile } from "../src/components/user-profile";
import { en } from "../src/localization/en";
import { fr } from "../src/localization/fr";
import { commonParts } from "../src/parts/common";
import { userButtonParts } from "../src/parts/user-button";
import { userProfileParts } from "../src/parts/user-profile";
import { FakeClient } from "./fake-client";
import { makeEmailAddress, makeEnvironment, makeSession, makeUser } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  vi.restoreAllMocks();
});

const ada = makeUser();
const grace = makeUser({
  id: "user_2",
  first_name: "Grace",
  last_name: "Hopper",
  has_image: true,
  image_url: "https://img.example/grace.png",
  primary_email_address_id: "idn_email_9",
  email_addresses: [makeEmailAddress({ id: "idn_email_9", email_address: "grace@example.com" })],
});

function setup(props: Parameters<typeof UserButton>[0] = {}, client = new FakeClient({ user: ada })) {
  const result = renderWithClient(<UserButton {...props} />, { client });
  return { ...result, client };
}

/** multiSession signs grace in too (sess_2), with ada's session active. */
function multiSession(): FakeClient {
  const client = new FakeClient({ user: ada, environment: makeEnvironment({ session: { multi_session: true } }) });
  const sessions: Session[] = [...client.getState().sessions, makeSession(grace, { id: "sess_2" })];
  client.setState({ sessions });
  return client;
}

function trigger(): HTMLButtonElement {
  const button = document.querySelector<HTMLButtonElement>('button[aria-haspopup="menu"]');
  if (!button) throw new Error("no trigger");
  return button;
}

function items(): HTMLElement[] {
  return screen.getAllByRole("menuitem");
}

/** ownParts lists the problems: elements inside root without a part of the user components. */
function partProblems(root: Element): string[] {
  const known = new Set<string>([...userButtonParts.map((p) => `userButton-${p}`), ...userProfileParts.map((p) => `userProfile-${p}`), ...commonParts.map((p) => `common-${p}`)]);
  const problems: string[] = [];
  for (const element of [root, ...Array.from(root.querySelectorAll("*"))]) {
    const parts = Array.from(element.classList).filter((c) => c.startsWith("lk-") && c !== "lk-root");
    if (parts.length === 0) problems.push(`<${element.tagName.toLowerCase()}> has no part: ${element.outerHTML.slice(0, 100)}`);
    for (const part of parts) if (!known.has(part.slice(3))) problems.push(`${part} is not a part of the user components`);
  }
  return problems;
}

describe("<UserButton />", () => {
  it("renders nothing while the client loads or when signed out", async () => {
    const loading = setup({}, new FakeClient({ loaded: false, environment: null }));
    expect(loading.container.innerHTML).toBe("");
    loading.unmount();
    const signedOut = setup({}, new FakeClient());
    expect(signedOut.container.innerHTML).toBe("");
    await act(async () => signedOut.client.signInAs(ada));
    expect(trigger()).toBeTruthy();
  });

  it("shows the avatar's initials, or the picture, and the name with showName", () => {
    const { container, client } = setup({ showName: true });
    const button = screen.getByRole("button", { name: "Ada Lovelace" });
    expect(button).toBe(trigger());
    expect(button.getAttribute("aria-haspopup")).toBe("menu");
    expect(button.getAttribute("aria-expanded")).toBe("false");
    const avatar = container.querySelector(".lk-userButton-avatar") as HTMLElement;
    expect(avatar.textContent).toBe("AL");
    expect(avatar.getAttribute("aria-hidden"), "the name beside it says who it is").toBe("true");
    expect(container.querySelector(".lk-userButton-name")?.textContent).toBe("Ada Lovelace");
    expect(container.querySelector(".lk-userButton-root")?.classList.contains("lk-root")).toBe(true);

    act(() => client.updateUser(grace));
    const img = container.querySelector("img.lk-userButton-avatar") as HTMLImageElement;
    expect(img.src).toBe("https://img.example/grace.png");
    expect(img.alt).toBe("");
    expect(screen.getByRole("button", { name: "Grace Hopper" })).toBe(trigger());
  });

  it("is named by the avatar alone without showName", () => {
    const { container } = setup();
    expect(container.querySelector(".lk-userButton-name")).toBeNull();
    const avatar = container.querySelector(".lk-userButton-avatar") as HTMLElement;
    expect(avatar.getAttribute("role")).toBe("img");
    expect(avatar.getAttribute("aria-label")).toBe("Ada Lovelace");
    expect(screen.getByRole("button", { name: "Ada Lovelace" })).toBe(trigger());
    expect(trigger().hasAttribute("aria-label")).toBe(false);
  });

  it("opens on click with the user's name, email and actions; closes on a click outside", async () => {
    const { container } = setup();
    await act(async () => fireEvent.click(trigger()));
    const menu = screen.getByRole("menu");
    expect(trigger().getAttribute("aria-expanded")).toBe("true");
    expect(trigger().getAttribute("aria-controls")).toBe(menu.id);
    expect(container.querySelector(".lk-userButton-identityName")?.textContent).toBe("Ada Lovelace");
    expect(container.querySelector(".lk-userButton-identityEmail")?.textContent).toBe("ada@example.com");
    expect(items().map((i) => i.textContent)).toEqual(["Manage account", "Sign out"]);
    expect(document.activeElement).toBe(items()[0]);
    expect(container.querySelector(".lk-userButton-root")?.hasAttribute("data-open")).toBe(true);

    await act(async () => fireEvent.mouseDown(container.querySelector(".lk-userButton-identity") as Element));
    expect(screen.queryByRole("menu")).not.toBeNull();
    await act(async () => fireEvent.mouseDown(document.body));
    expect(screen.queryByRole("menu")).toBeNull();
    expect(trigger().getAttribute("aria-expanded")).toBe("false");
  });

  it("works with the keyboard: Enter, Space and the arrows open, arrows move, Escape and Tab close", async () => {
    setup({}, multiSession());
    const button = trigger();
    button.focus();
    await act(async () => fireEvent.keyDown(button, { key: "Enter" }));
    expect(items().map((i) => i.textContent)).toEqual(["Manage account", "Grace Hoppergrace@example.com", "Sign out", "Sign out of all accounts"]);
    expect(document.activeElement).toBe(items()[0]);
    const menu = screen.getByRole("menu");
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(document.activeElement).toBe(items()[1]);
    fireEvent.keyDown(menu, { key: "End" });
    expect(document.activeElement).toBe(items()[3]);
    fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(document.activeElement, "ArrowDown wraps to the first item").toBe(items()[0]);
    fireEvent.keyDown(menu, { key: "ArrowUp" });
    expect(document.activeElement, "ArrowUp wraps to the last item").toBe(items()[3]);
    fireEvent.keyDown(menu, { key: "Home" });
    expect(document.activeElement).toBe(items()[0]);
    expect(items().every((i) => i.tabIndex === -1)).toBe(true);

    await act(async () => fireEvent.keyDown(menu, { key: "Escape" }));
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(button);

    await act(async () => fireEvent.keyDown(button, { key: " " }));
    expect(document.activeElement).toBe(items()[0]);
    await act(async () => fireEvent.keyDown(screen.getByRole("menu"), { key: "Tab" }));
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement, "Tab continues from the trigger").toBe(button);

    await act(async () => fireEvent.keyDown(button, { key: "ArrowUp" }));
    expect(document.activeElement).toBe(items()[3]);
    await act(async () => fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" }));
    await act(async () => fireEvent.keyDown(button, { key: "ArrowDown" }));
    expect(document.activeElement).toBe(items()[0]);
  });

  it("opens <UserProfile /> in a modal from Manage account and gives focus back when it closes", async () => {
    const { container } = setup();
    const button = trigger();
    button.focus();
    await act(async () => fireEvent.keyDown(button, { key: "Enter" }));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Manage account" })));
    expect(screen.queryByRole("menu")).toBeNull();
    const dialog = container.querySelector("dialog") as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-label")).toBe("Account");
    expect(dialog.querySelector(".lk-userProfile-root")?.getAttribute("data-mode")).toBe("modal");
    expect(screen.getByRole("heading", { level: 2, name: "Profile details" })).toBeTruthy();

    await act(async () => fireEvent.keyDown(dialog, { key: "Escape" }));
    expect(dialog.open).toBe(false);
    expect(document.activeElement).toBe(button);

    await act(async () => fireEvent.click(button));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Manage account" })));
    expect(dialog.open).toBe(true);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Close" })));
    expect(dialog.open).toBe(false);
    expect(document.activeElement).toBe(button);
  });

  it("goes to userProfileUrl in navigation mode", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const { container } = setup({ userProfileMode: "navigation", userProfileUrl: "/settings/account" });
    expect(container.querySelector("dialog")).toBeNull();
    await act(async () => fireEvent.click(trigger()));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Manage account" })));
    expect(assign).toHaveBeenCalledWith("/settings/account");
  });

  it("signs out and goes to afterSignOutUrl", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const { client, container } = setup({ afterSignOutUrl: "/goodbye" });
    await act(async () => fireEvent.click(trigger()));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Sign out" })));
    expect(client.calls).toContain("signOut");
    expect(assign).toHaveBeenCalledWith("/goodbye");
    expect(container.innerHTML).toBe("");
  });

  it("lists the other accounts when multi-session is on, switches, and signs out of one or all", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const client = multiSession();
    const { container } = setup({}, client);
    await act(async () => fireEvent.click(trigger()));
    const group = screen.getByRole("group", { name: "Switch account" });
    const other = screen.getByRole("menuitem", { name: "Grace Hopper grace@example.com" });
    expect(group.contains(other)).toBe(true);
    expect(other.querySelector("img.lk-userButton-sessionAvatar")).not.toBeNull();
    await act(async () => fireEvent.click(other));
    expect(client.calls).toContain("setActive:sess_2");
    expect(screen.getByRole("button", { name: "Grace Hopper" })).toBe(trigger());
    expect(container.querySelector(".lk-userButton-identityName")).toBeNull();

    // Signing out of the active account leaves the other one signed in: no navigation.
    vi.spyOn(client, "signOut").mockImplementation(async (opts) => {
      client.calls.push(`signOut:${opts?.sessionId ?? "all"}`);
      const rest = client.getState().sessions.filter((s) => s.id !== opts?.sessionId);
      const next = rest[0] as Session;
      client.setState({ sessions: rest, session: next, sessionId: next.id, user: next.user ?? null, userId: next.user?.id ?? null });
    });
    await act(async () => fireEvent.click(trigger()));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Sign out" })));
    expect(client.calls).toContain("signOut:sess_2");
    expect(assign).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Ada Lovelace" })).toBe(trigger());
  });

  it("shows a failed sign-out or switch in the open menu, and forgets it once closed", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const client = multiSession();
    const { container } = setup({}, client);
    client.failNext("signOut", "network_error");
    await act(async () => fireEvent.click(trigger()));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Sign out of all accounts" })));
    expect(screen.getByRole("alert").textContent).toBe(en.errors.network_error);
    expect(screen.queryByRole("menu")).not.toBeNull();
    expect(assign).not.toHaveBeenCalled();
    expect(container.querySelector(".lk-userButton-root")?.hasAttribute("data-busy")).toBe(false);

    client.failNext("setActive:sess_2", "session_not_active");
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Grace Hopper grace@example.com" })));
    expect(screen.getByRole("alert").textContent).toBe(en.errors.session_not_active);
    expect(screen.getByRole("button", { name: "Ada Lovelace" })).toBe(trigger());

    await act(async () => fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" }));
    await act(async () => fireEvent.click(trigger()));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("signs out of every account with Sign out of all accounts", async () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    const client = multiSession();
    setup({}, client);
    await act(async () => fireEvent.click(trigger()));
    await act(async () => fireEvent.click(screen.getByRole("menuitem", { name: "Sign out of all accounts" })));
    expect(client.calls).toContain("signOut");
    expect(assign).toHaveBeenCalledWith("/");
  });

  it("updates at once when the profile changes elsewhere on the page", async () => {
    const { container } = renderWithClient(
      <>
        <UserButton showName />
        <UserProfile />
      </>,
      { init: { user: ada } },
    );
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Edit profile" })));
    await act(async () => fireEvent.change(screen.getByLabelText("First name"), { target: { value: "Augusta" } }));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Save" })));
    expect(container.querySelector(".lk-userButton-name")?.textContent).toBe("Augusta Lovelace");
    expect(container.querySelector(".lk-userButton-avatar")?.textContent).toBe("AL");
    expect(screen.getByRole("button", { name: "Augusta Lovelace" })).toBe(trigger());
  });

  it("speaks French with the fr locale", async () => {
    setup({ localization: fr }, multiSession());
    await act(async () => fireEvent.click(trigger()));
    expect(screen.getByRole("menu", { name: "Compte" })).toBeTruthy();
    expect(items().map((i) => i.textContent)).toEqual(["Gérer le compte", "Grace Hoppergrace@example.com", "Se déconnecter", "Se déconnecter de tous les comptes"]);
    expect(screen.getByRole("group", { name: "Changer de compte" })).toBeTruthy();
  });

  it("gives every element a part of its own, closed, open and with other accounts", async () => {
    const { container } = setup({ showName: true }, multiSession());
    const root = container.querySelector(".lk-userButton-root") as Element;
    expect(partProblems(root)).toEqual([]);
    await act(async () => fireEvent.click(trigger()));
    expect(partProblems(root)).toEqual([]);
    for (const part of ["trigger", "avatar", "name", "popover", "identity", "identityAvatar", "identityName", "identityEmail", "menu", "manageAccount", "sessions", "session", "sessionAvatar", "sessionName", "sessionEmail", "separator", "signOut", "signOutAll"]) {
      expect(root.querySelector(`.lk-userButton-${part}`), part).not.toBeNull();
    }
  });

  it("adds the app's classes to its parts and drops the skin with unstyled", async () => {
    const { container } = setup({ appearance: { unstyled: true, classNames: { "userButton-trigger": "my-trigger" }, variables: { colorPrimary: "rebeccapurple" } } });
    const root = container.querySelector(".lk-userButton-root") as HTMLElement;
    expect(root.hasAttribute("data-lk-unstyled")).toBe(true);
    expect(root.style.getPropertyValue("--lk-color-primary")).toBe("rebeccapurple");
    expect(trigger().className).toBe("lk-userButton-trigger my-trigger");
  });
});
