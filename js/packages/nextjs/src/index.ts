// "@latchkey/nextjs" for client components (and anything outside the React
// server environment): the components and hooks of @latchkey/react, and its
// client provider. Server components get index.server.ts instead (the
// "react-server" export condition), whose LatchkeyProvider reads the request.

export { LatchkeyProvider } from "@latchkey/react";
export * from "./reexports";
