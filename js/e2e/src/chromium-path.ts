import { access, constants } from "node:fs/promises";

/** chromiumPath is $CHROMIUM_PATH or Debian's /usr/bin/chromium, checked to be executable. */
export async function chromiumPath(): Promise<string> {
  const candidate = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  try {
    await access(candidate, constants.X_OK);
  } catch {
    throw new Error(
      `no Chromium at ${candidate}: install Debian's package (apt-get install --no-install-recommends chromium) or set CHROMIUM_PATH to a Chromium executable`,
    );
  }
  return candidate;
}
