// The Connected accounts section: the user's social accounts (provider mark,
// name, email), each with "Disconnect" after confirmation (refused by the
// server when it is the last way to sign in), and a "Connect <provider>"
// button for each enabled provider not connected yet, which goes to the
// provider and back here. An error the provider's round trip came back
// with (lk_error) is shown when the page opens.

import { useEffect, useId, useState } from "react";
import { isLatchkeyError, redirectResult, redirectError, type ExternalAccount, type SocialProvider } from "@latchkey/js";
import { useLatchkey } from "../../hooks";
import { format } from "../../localization/format";
import { errorMessage, useLocalization } from "../../localization/use-localization";
import type { Resources } from "../../localization/resources";
import { Box } from "../../primitives/box";
import { Connection } from "../../primitives/connection";
import { useSlot } from "../../styling/slots";
import { providerMarkUrl } from "../shared/provider-marks";
import { Confirm } from "./confirm";
import { ButtonAction } from "./controls";
import { Notice, Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";

export function ConnectedAccountsSection({ user, environment }: SectionProps) {
  const l = useLocalization();
  const t = l.userProfile.connectedAccounts;
  const client = useLatchkey();
  const SocialButton = useSlot("SocialButton");
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const providers = environment.social ?? [];
  const connected = new Set(user.external_accounts.map((a) => a.provider));
  const available = providers.filter((p) => !connected.has(p.provider));

  // Back from a provider: show its error. Read after the first render (the server cannot see it).
  useEffect(() => {
    const back = redirectResult();
    if (back.error) setError(errorMessage(l, redirectError(back.error)));
  }, [l]);

  const connect = async (provider: SocialProvider) => {
    setError(null);
    setNotice(null);
    try {
      await client.me.connectExternalAccount(provider.strategy, returnUrl());
    } catch (e) {
      setError(connectMessage(l, e));
    }
  };

  return (
    <Section id="connectedAccounts" title={t.title}>
      {user.external_accounts.length > 0 ? (
        <Box part="userProfile-accountList" render={<ul />}>
          {user.external_accounts.map((account) => (
            <AccountItem
              key={account.id}
              account={account}
              name={nameOf(account, providers)}
              onDisconnected={(name) => setNotice(format(t.disconnected, { provider: name }))}
            />
          ))}
        </Box>
      ) : (
        <Box part="userProfile-sectionDescription" render={<p />}>
          {t.none}
        </Box>
      )}
      {error ? (
        <Box part="userProfile-globalError" role="alert">
          {error}
        </Box>
      ) : null}
      {available.length > 0 ? (
        <Box part="userProfile-connectList">
          {available.map((provider) => (
            <Connection
              key={provider.strategy}
              provider={provider}
              part="userProfile-connectButton"
              onSelect={() => connect(provider)}
              render={(props) => <SocialButton {...props} provider={provider.provider} busy={props["aria-busy"] === true} />}
            >
              <Box part="userProfile-accountIcon" render={<img src={providerMarkUrl(provider.provider)} alt="" />} />
              {format(t.connect, { provider: provider.name })}
            </Connection>
          ))}
        </Box>
      ) : null}
      <Notice text={notice} />
    </Section>
  );
}

function AccountItem({ account, name, onDisconnected }: { account: ExternalAccount; name: string; onDisconnected: (name: string) => void }) {
  const t = useLocalization().userProfile.connectedAccounts;
  const client = useLatchkey();
  const confirm = useDisclosure();
  const nameId = useId();
  const pending = account.verification?.status !== undefined && account.verification.status !== "verified";
  const shown = account.email_address || account.username || "";
  return (
    <Box part="userProfile-accountItem" state={{ provider: account.provider, pending }} render={<li />}>
      <Box part="userProfile-accountIcon" render={<img src={providerMarkUrl(account.provider)} alt="" />} />
      <Box part="userProfile-accountText">
        <Box part="userProfile-accountProvider" render={<p id={nameId} />}>
          {name}
          {pending ? (
            <>
              {" "}
              <Box part="userProfile-badge" state={{ variant: "pending" }} render={<span />}>
                {t.pending}
              </Box>
            </>
          ) : null}
        </Box>
        {shown ? (
          <Box part="userProfile-accountEmail" render={<p />}>
            {shown}
          </Box>
        ) : null}
      </Box>
      <ButtonAction part="userProfile-accountDisconnect" ref={confirm.triggerRef} aria-describedby={nameId} disabled={confirm.open} onClick={confirm.show}>
        {t.disconnect}
      </ButtonAction>
      {confirm.open ? (
        <Confirm
          text={format(t.disconnectConfirm, { provider: name, account: shown || name })}
          confirm={t.disconnect}
          onConfirm={() => client.me.disconnectExternalAccount(account.id).then(() => client.reloadUser().then(() => undefined))}
          onDone={() => onDisconnected(name)}
          onCancel={() => confirm.hide()}
        />
      ) : null}
    </Box>
  );
}

/** nameOf is the provider's display name, from the environment when it lists it. */
function nameOf(account: ExternalAccount, providers: SocialProvider[]): string {
  const known = providers.find((p) => p.provider === account.provider);
  if (known) return known.name;
  return account.provider.charAt(0).toUpperCase() + account.provider.slice(1);
}

/** connectMessage words a failed connect (reverification_required: sign in again). */
function connectMessage(l: Resources, e: unknown): string {
  if (isLatchkeyError(e)) return errorMessage(l, e);
  return l.errors.internal_error;
}

/** returnUrl is this page without the parameters of an earlier round trip. */
function returnUrl(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete("lk_status");
  url.searchParams.delete("lk_error");
  url.hash = "";
  return url.toString();
}
