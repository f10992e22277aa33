// <UserProfile />: the signed-in user's account, as a page or in a modal.
// A navigation between pages (Profile, Security) and, on each, the sections
// of the registry that apply to this user and instance. Built only from the
// primitives and slots, so every piece can be restyled or swapped.

import { useState } from "react";
import type { Environment, User } from "@latchkey/js";
import { useLatchkeyContext } from "../../context";
import type { Localization } from "../../localization/resources";
import { useLocalization } from "../../localization/use-localization";
import { Action } from "../../primitives/action";
import { Box } from "../../primitives/box";
import { Modal } from "../../primitives/modal";
import { AppearanceScope, type Appearance } from "../../styling/appearance";
import { useSlot, type Slots } from "../../styling/slots";
import { usePart, useRootPart } from "../../styling/use-part";
import { ButtonAction } from "./controls";
import { pagesOf, sectionsOf, type UserProfilePage } from "./sections";

export interface UserProfileProps {
  /** "page" (default) renders the card in place; "modal" renders it in a dialog. */
  mode?: "page" | "modal";
  /** Modal mode: whether the dialog is open (default true). */
  open?: boolean;
  /** Modal mode: called to close the dialog (Escape, backdrop, close button). */
  onOpenChange?: (open: boolean) => void;
  /** The page shown first (default "profile"). */
  initialPage?: UserProfilePage;
  /** Where the browser goes once the account is deleted (default "/"). */
  afterSignOutUrl?: string;
  appearance?: Appearance;
  components?: Partial<Slots>;
  localization?: Localization;
}

/**
 * UserProfile lets the signed-in user manage their account: profile and
 * avatar, email addresses, password, active devices, and deleting the
 * account. It renders nothing while the client loads or when signed out.
 */
export function UserProfile({ appearance, components, localization, ...props }: UserProfileProps) {
  return (
    <AppearanceScope appearance={appearance} components={components} localization={localization}>
      <UserProfileCard {...props} />
    </AppearanceScope>
  );
}

function UserProfileCard({ mode = "page", open = true, onOpenChange, initialPage = "profile", afterSignOutUrl = "/" }: Omit<UserProfileProps, "appearance" | "components" | "localization">) {
  const { state } = useLatchkeyContext();
  const t = useLocalization();
  const Card = useSlot("Card");
  const [page, setPage] = useState<UserProfilePage>(initialPage);
  const modalProps = useRootPart("userProfile-modal");
  const cardProps = useRootPart("userProfile-root", { mode, page, loading: state.environment === null });
  const close = () => onOpenChange?.(false);
  if (!state.loaded || !state.user) return null;

  const card = (
    <Card {...cardProps}>
      {mode === "modal" ? (
        <Action part="userProfile-modalClose" aria-label={t.common.close} onClick={close}>
          ×
        </Action>
      ) : null}
      {state.environment ? (
        <Pages user={state.user} environment={state.environment} page={page} onPage={setPage} afterSignOutUrl={afterSignOutUrl} />
      ) : (
        <Box part="userProfile-loading" role="status">
          {t.common.loading}
        </Box>
      )}
    </Card>
  );
  if (mode === "page") return card;
  return (
    <Modal {...modalProps} open={open} onOpenChange={(next) => onOpenChange?.(next)} label={t.userProfile.title}>
      {card}
    </Modal>
  );
}

interface PagesProps {
  user: User;
  environment: Environment;
  page: UserProfilePage;
  onPage: (page: UserProfilePage) => void;
  afterSignOutUrl: string;
}

function Pages({ user, environment, page, onPage, afterSignOutUrl }: PagesProps) {
  const t = useLocalization().userProfile;
  const Header = useSlot("Header");
  const headerProps = usePart("userProfile-header");
  const context = { user, environment };
  const pages = pagesOf(context);
  const current = pages.includes(page) ? page : (pages[0] ?? page);
  return (
    <>
      <Box part="userProfile-navigation">
        <Header {...headerProps}>
          <Box part="userProfile-title" render={<h1 />}>
            {t.title}
          </Box>
          <Box part="userProfile-subtitle" render={<p />}>
            {t.subtitle}
          </Box>
        </Header>
        <Box part="userProfile-navList" render={<nav aria-label={t.navigation} />}>
          {pages.map((p) => (
            <ButtonAction key={p} part="userProfile-navItem" data-page={p} data-active={p === current ? "" : undefined} aria-current={p === current ? "true" : undefined} onClick={() => onPage(p)}>
              {t.pages[p]}
            </ButtonAction>
          ))}
        </Box>
      </Box>
      <Box part="userProfile-content" state={{ page: current }}>
        <Box part="userProfile-pageTitle" render={<h2 />}>
          {t.pageTitles[current]}
        </Box>
        {sectionsOf(current, context).map(({ id, Component }) => (
          <Component key={id} user={user} environment={environment} afterSignOutUrl={afterSignOutUrl} />
        ))}
      </Box>
    </>
  );
}
