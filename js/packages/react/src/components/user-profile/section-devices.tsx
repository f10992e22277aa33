// The Active devices section: every signed-in session of the user
// (GET /v1/me/sessions), this one marked "This device", each other one with
// "Sign out device" after confirmation. Listed in the browser only, after
// the first render, so server and browser renders never disagree on times.

import { useCallback, useEffect, useId, useState } from "react";
import type { Device } from "@latchkey/js";
import { useLatchkey } from "../../hooks";
import { format } from "../../localization/format";
import { errorMessage, useLocalization } from "../../localization/use-localization";
import { Box } from "../../primitives/box";
import { Confirm } from "./confirm";
import { ButtonAction } from "./controls";
import { relativeTime } from "./relative-time";
import { Notice, Section } from "./section";
import type { SectionProps } from "./sections";
import { useDisclosure } from "./use-disclosure";
import { formErrors } from "./use-me-form";

export function DevicesSection({ user }: SectionProps) {
  const l = useLocalization();
  const t = l.userProfile.devices;
  const client = useLatchkey();
  const [devices, setDevices] = useState<Device[] | null>(null);
  // The failure is kept as is and worded at render, so loading depends on nothing but the client.
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDevices(currentFirst(await client.me.listSessions()));
      setFailure(null);
    } catch (error) {
      setFailure({ error });
    }
  }, [client]);

  // A password change signs other devices out: list them again after one.
  const passwordChangedAt = user.password_last_updated_at;
  useEffect(() => {
    void load();
  }, [load, passwordChangedAt]);

  const shown = failure ? formErrors(failure.error, [], l.errors.internal_error).global[0] : undefined;
  const error = shown ? errorMessage(l, shown) : null;
  const now = Date.now();
  return (
    <Section id="devices" title={t.title}>
      {devices === null && error === null ? (
        <Box part="userProfile-loading" role="status">
          {t.loading}
        </Box>
      ) : null}
      {error ? (
        <Box part="userProfile-globalError" role="alert">
          {error}
        </Box>
      ) : null}
      {devices ? (
        <Box part="userProfile-deviceList" render={<ul />}>
          {devices.map((device) => (
            <DeviceItem
              key={device.id}
              device={device}
              now={now}
              onRevoked={(name) => {
                setNotice(format(t.signedOut, { device: name }));
                setDevices((list) => (list ? list.filter((d) => d.id !== device.id) : list));
              }}
            />
          ))}
        </Box>
      ) : null}
      <Notice text={notice} />
    </Section>
  );
}

function currentFirst(devices: Device[]): Device[] {
  return [...devices].sort((a, b) => Number(b.current) - Number(a.current) || b.last_active_at - a.last_active_at);
}

function DeviceItem({ device, now, onRevoked }: { device: Device; now: number; onRevoked: (name: string) => void }) {
  const l = useLocalization();
  const t = l.userProfile.devices;
  const client = useLatchkey();
  const confirm = useDisclosure();
  const nameId = useId();
  const name = format(t.name, { browser: device.browser_name || t.unknownBrowser, os: device.os_name || t.unknownOs });
  const place = device.city && device.country ? format(t.location, { city: device.city, country: device.country }) : device.city || device.country;
  const details = [
    device.ip_address ? format(t.ipAddress, { ip: device.ip_address }) : "",
    place,
    format(t.lastActive, { time: relativeTime(device.last_active_at, now, l.common.locale) }),
  ].filter(Boolean);
  return (
    <Box part="userProfile-deviceItem" state={{ current: device.current, deviceType: device.device_type || undefined }} render={<li />}>
      <Box part="userProfile-deviceText">
        <Box part="userProfile-deviceName" render={<p id={nameId} />}>
          {name}
          {device.current ? (
            <>
              {" "}
              <Box part="userProfile-badge" state={{ variant: "current" }} render={<span />}>
                {t.thisDevice}
              </Box>
            </>
          ) : null}
        </Box>
        <Box part="userProfile-deviceMeta" render={<p />}>
          {details.join(" · ")}
        </Box>
      </Box>
      {device.current ? null : (
        <ButtonAction part="userProfile-deviceRevoke" ref={confirm.triggerRef} aria-describedby={nameId} disabled={confirm.open} onClick={confirm.show}>
          {t.signOut}
        </ButtonAction>
      )}
      {confirm.open ? (
        <Confirm
          text={format(t.signOutConfirm, { device: name })}
          confirm={t.signOut}
          onConfirm={() => client.me.revokeSession(device.id)}
          onDone={() => onRevoked(name)}
          onCancel={() => confirm.hide()}
        />
      ) : null}
    </Box>
  );
}
