// <UserButton />: the signed-in user's avatar, opening a menu with who they
// are, "Manage account" (<UserProfile /> in a modal, or a link to a page),
// the other signed-in accounts to switch to (multi-session), and "Sign out".

import { useEffect, useState, type ReactNode } from "react";
import type { Session, User } from "@latchkey/js";
import { useLatchkeyContext } from "../../context";
import type { Localization } from "../../localization/resources";
import { errorMessage, useLocalization } from "../../localization/use-localization";
import { Avatar, userName } from "../../primitives/avatar";
import { Box } from "../../primitives/box";
import type { PartName } from "../../parts/registry";
import { AppearanceScope, type Appearance } from "../../styling/appearance";
import type { FormError } from "../../primitives/form";
import { useSlot, type Slots } from "../../styling/slots";
import { usePart, useRootPart } from "../../styling/use-part";
import { UserProfile, type UserProfileProps } from "../user-profile";
import { formErrors } from "../user-profile/use-me-form";
import { useMenu } from "./use-menu";

export interface UserButtonProps {
  /** Show the user's name beside the avatar. */
  showName?: boolean;
  /** "modal" (default) opens <UserProfile /> in a dialog; "navigation" goes to userProfileUrl. */
  userProfileMode?: "modal" | "navigation";
  /** The account page "Manage account" goes to in "navigation" mode (default "/account"). */
  userProfileUrl?: string;
  /** Where the browser goes once signed out of every account (default "/"). */
  afterSignOutUrl?: string;
  /** Props of the <UserProfile /> the modal shows. */
  userProfileProps?: Omit<UserProfileProps, "mode" | "open" | "onOpenChange">;
  appearance?: Appearance;
  components?: Partial<Slots>;
  localization?: Localization;
}

/**
 * UserButton renders the signed-in user's avatar and account menu. It
 * renders nothing while the client loads or when no one is signed in.
 */
export function UserButton({ appearance, components, localization, ...props }: UserButtonProps) {
  return (
    <AppearanceScope appearance={appearance} components={components} localization={localization}>
      <UserButtonContent {...props} />
    </AppearanceScope>
  );
}

function UserButtonContent({ showName = false, userProfileMode = "modal", userProfileUrl = "/account", afterSignOutUrl = "/", userProfileProps }: Omit<UserButtonProps, "appearance" | "components" | "localization">) {
  const { client, state } = useLatchkeyContext();
  const l = useLocalization();
  const t = l.userButton;
  const menu = useMenu();
  const [profileOpen, setProfileOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  // An error belongs to the menu it happened in: a new one starts without it.
  useEffect(() => {
    if (!menu.open) setError(null);
  }, [menu.open]);
  const rootProps = useRootPart("userButton-root", { open: menu.open, busy });
  const Button = useSlot("Button");
  const triggerProps = usePart("userButton-trigger", { open: menu.open });
  const user = state.user;
  if (!state.loaded || !state.isSignedIn || !user) return null;

  const name = userName(user);
  const others = state.environment?.session.multi_session ? otherSessions(state.sessions, state.sessionId) : [];

  // act runs a menu action with the menu busy; a failure is shown in the open menu.
  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(formErrors(e, [], l.errors.internal_error).global[0] ?? null);
    } finally {
      setBusy(false);
    }
  };
  const manageAccount = () => {
    menu.close(true);
    if (userProfileMode === "navigation") window.location.assign(userProfileUrl);
    else setProfileOpen(true);
  };
  const signOut = (all: boolean) =>
    act(async () => {
      const current = state.sessionId;
      // With other accounts signed in, "Sign out" leaves only this one; the client switches to another.
      const onlyThis = !all && others.length > 0 && current !== null;
      await client.signOut(onlyThis ? { sessionId: current } : undefined);
      if (!client.getState().isSignedIn) window.location.assign(afterSignOutUrl);
      else menu.close(true);
    });
  const switchTo = (sessionId: string) =>
    act(async () => {
      await client.setActive(sessionId);
      menu.close(true);
    });

  // The modal is a sibling of the root, not inside it: the profile's own
  // appearance (unstyled, say) must not meet rules scoped to the button's root.
  return (
    <>
      <div {...rootProps} ref={menu.rootRef}>
        {/* The trigger is named by its content (the name, else the avatar's alt), never by an aria-label that would not match what is seen. */}
        <Button {...triggerProps} {...menu.triggerProps} ref={menu.triggerRef} type="button">
          <Avatar user={user} part="userButton-avatar" alt={showName ? "" : name} />
          {showName ? (
            <Box part="userButton-name" render={<span />}>
              {name}
            </Box>
          ) : null}
        </Button>
        {menu.open ? (
          <Box part="userButton-popover">
            <Identity user={user} />
            <Box {...menu.menuProps} ref={menu.menuRef} part="userButton-menu" aria-label={t.menu}>
              <MenuItem part="userButton-manageAccount" disabled={busy} onSelect={manageAccount}>
                {t.manageAccount}
              </MenuItem>
              {others.length > 0 ? <OtherSessions sessions={others} busy={busy} onSwitch={(id) => void switchTo(id)} /> : null}
              <Box part="userButton-separator" role="separator" />
              <MenuItem part="userButton-signOut" disabled={busy} onSelect={() => void signOut(false)}>
                {t.signOut}
              </MenuItem>
              {others.length > 0 ? (
                <MenuItem part="userButton-signOutAll" disabled={busy} onSelect={() => void signOut(true)}>
                  {t.signOutAll}
                </MenuItem>
              ) : null}
            </Box>
            {error ? (
              <Box part="userButton-error" role="alert">
                {errorMessage(l, error)}
              </Box>
            ) : null}
          </Box>
        ) : null}
      </div>
      {userProfileMode === "modal" ? <UserProfile {...userProfileProps} mode="modal" open={profileOpen} onOpenChange={setProfileOpen} /> : null}
    </>
  );
}

function otherSessions(sessions: Session[], current: string | null): (Session & { user: User })[] {
  return sessions.filter((s): s is Session & { user: User } => s.id !== current && s.user !== undefined);
}

function Identity({ user }: { user: User }) {
  const email = user.email_addresses.find((e) => e.id === user.primary_email_address_id)?.email_address ?? "";
  const name = userName(user);
  return (
    <Box part="userButton-identity">
      <Avatar user={user} part="userButton-identityAvatar" alt="" />
      <Box part="userButton-identityText">
        <Box part="userButton-identityName" render={<p />}>
          {name}
        </Box>
        {email && email !== name ? (
          <Box part="userButton-identityEmail" render={<p />}>
            {email}
          </Box>
        ) : null}
      </Box>
    </Box>
  );
}

function OtherSessions({ sessions, busy, onSwitch }: { sessions: (Session & { user: User })[]; busy: boolean; onSwitch: (sessionId: string) => void }) {
  const t = useLocalization().userButton;
  return (
    <>
      <Box part="userButton-separator" role="separator" />
      <Box part="userButton-sessions" role="group" aria-label={t.otherAccounts}>
        {sessions.map((session) => {
          const name = userName(session.user);
          const email = session.user.email_addresses.find((e) => e.id === session.user.primary_email_address_id)?.email_address ?? "";
          return (
            <MenuItem key={session.id} part="userButton-session" disabled={busy} onSelect={() => onSwitch(session.id)}>
              <Avatar user={session.user} part="userButton-sessionAvatar" alt="" />
              <Box part="userButton-sessionText" render={<span />}>
                <Box part="userButton-sessionName" render={<span />}>
                  {name}
                </Box>
                {email && email !== name ? (
                  <Box part="userButton-sessionEmail" render={<span />}>
                    {email}
                  </Box>
                ) : null}
              </Box>
            </MenuItem>
          );
        })}
      </Box>
    </>
  );
}

// MenuItem is one item of the menu: a button reached with the arrow keys
// (tabIndex -1: the menu, not the page's Tab order, moves between items).
function MenuItem({ part, disabled, onSelect, children }: { part: PartName; disabled: boolean; onSelect: () => void; children: ReactNode }) {
  const Button = useSlot("Button");
  return (
    <Button {...usePart(part, { disabled })} type="button" role="menuitem" tabIndex={-1} disabled={disabled} onClick={onSelect}>
      {children}
    </Button>
  );
}


