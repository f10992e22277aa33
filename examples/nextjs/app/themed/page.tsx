import { SignIn } from "@latchkey/nextjs";

// Design tokens: appearance.variables become --lk-* custom properties on the
// component's root, so this one form gets its own colours, corners and font.
export default function VariablesTheme() {
  return (
    <SignIn
      appearance={{
        variables: {
          colorPrimary: "#0f766e",
          colorPrimaryForeground: "#f0fdfa",
          colorRing: "#14b8a6",
          radius: "0.125rem",
          fontFamily: 'ui-serif, Georgia, Cambria, "Times New Roman", serif',
        },
      }}
    />
  );
}
