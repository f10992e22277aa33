// Rendering helpers for tests: a provider around a fake client.

import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { LatchkeyProvider, type LatchkeyProviderProps } from "../src/provider";
import { FakeClient, type FakeClientInit } from "./fake-client";

export function renderWithClient(ui: ReactNode, options: { client?: FakeClient; init?: FakeClientInit } & Omit<LatchkeyProviderProps, "client" | "children"> = {}) {
  const { client: given, init, ...provider } = options;
  const client = given ?? new FakeClient(init);
  const result = render(
    <LatchkeyProvider client={client} {...provider}>
      {ui}
    </LatchkeyProvider>,
  );
  return { client, ...result };
}
