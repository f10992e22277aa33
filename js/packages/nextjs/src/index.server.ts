// "@latchkey/nextjs" in server components (the "react-server" export
// condition): the async LatchkeyProvider that reads auth() and the user, and
// the components and hooks of @latchkey/react.

export { LatchkeyProvider, type LatchkeyProviderProps } from "./provider";
export * from "./reexports";
