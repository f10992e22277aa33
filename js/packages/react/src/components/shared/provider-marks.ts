// The marks of the built-in social providers, as small SVG documents shown
// through data: URLs: the components make no image request of their own,
// and the mark is one element (an <img> carrying a part). A provider without
// a mark (custom OIDC or OAuth 2.0) gets a generic one.

const google = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"> <path fill="#EA4335" d="M24 9.5c3.54 0 6.71 1.22 9.21 3.6l6.85-6.85C35.9 2.38 30.47 0 24 0 14.62 0 6.51 5.38 2.56 13.22l7.98 6.19C12.43 13.72 17.74 9.5 24 9.5z"/> <path fill="#4285F4" d="M46.98 24.55c0-1.57-.15-3.09-.38-4.55H24v9.02h12.94c-.58 2.96-2.26 5.48-4.78 7.18l7.73 6c4.51-4.18 7.09-10.36 7.09-17.65z"/> <path fill="#FBBC05" d="M10.53 28.59c-.48-1.45-.76-2.99-.76-4.59s.27-3.14.76-4.59l-7.98-6.19C.92 16.46 0 20.12 0 24c0 3.88.92 7.54 2.56 10.78l7.97-6.19z"/> <path fill="#34A853" d="M24 48c6.48 0 11.93-2.13 15.89-5.81l-7.73-6c-2.15 1.45-4.92 2.3-8.16 2.3-6.26 0-11.57-4.22-13.47-9.91l-7.98 6.19C6.51 42.62 14.62 48 24 48z"/> </svg>';

const github = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#1f2328" d="M12 .3a12 12 0 0 0-3.8 23.4c.6.1.8-.3.8-.6v-2c-3.3.7-4-1.6-4-1.6-.6-1.4-1.4-1.8-1.4-1.8-1-.7.1-.7.1-.7 1.2.1 1.9 1.2 1.9 1.2 1 1.8 2.8 1.3 3.5 1 .1-.8.4-1.3.7-1.6-2.7-.3-5.5-1.3-5.5-6 0-1.2.5-2.3 1.3-3.1-.2-.4-.6-1.6.1-3.2 0 0 1-.3 3.3 1.2a11.5 11.5 0 0 1 6 0c2.3-1.5 3.3-1.2 3.3-1.2.7 1.6.2 2.8.1 3.2.8.8 1.3 1.9 1.3 3.1 0 4.6-2.8 5.6-5.5 5.9.4.4.8 1.1.8 2.2v3.3c0 .3.2.7.8.6A12 12 0 0 0 12 .3"/> </svg>';

const microsoft = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#F25022" d="M1 1h10.5v10.5H1z"/> <path fill="#7FBA00" d="M12.5 1H23v10.5H12.5z"/> <path fill="#00A4EF" d="M1 12.5h10.5V23H1z"/> <path fill="#FFB900" d="M12.5 12.5H23V23H12.5z"/> </svg>';

const apple = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#1f2328" d="M16.37 12.76c-.03-2.6 2.12-3.85 2.22-3.91-1.21-1.77-3.09-2.01-3.76-2.04-1.6-.16-3.12.94-3.93.94-.81 0-2.06-.92-3.39-.89-1.74.03-3.35 1.01-4.25 2.57-1.81 3.14-.46 7.79 1.3 10.34.86 1.25 1.89 2.65 3.23 2.6 1.3-.05 1.79-.84 3.36-.84s2.01.84 3.38.81c1.4-.03 2.28-1.27 3.13-2.53.99-1.45 1.39-2.85 1.42-2.92-.03-.01-2.72-1.05-2.71-4.13zM13.79 5.12c.72-.87 1.2-2.07 1.07-3.27-1.03.04-2.28.69-3.02 1.55-.66.77-1.24 2-1.09 3.17 1.15.09 2.32-.58 3.04-1.45z"/> </svg>';

const gitlab = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#E24329" d="M12 22.1 16.4 8.6H7.6z"/> <path fill="#FC6D26" d="M12 22.1 7.6 8.6H1.5zM12 22.1l4.4-13.5h6.1z"/> <path fill="#FCA326" d="M1.5 8.6.2 12.6c-.1.4 0 .8.3 1L12 22.1zM22.5 8.6l1.3 4c.1.4 0 .8-.3 1L12 22.1z"/> <path fill="#E24329" d="M1.5 8.6h6.1L5 .6c-.1-.4-.7-.4-.8 0zM22.5 8.6h-6.1L19 .6c.1-.4.7-.4.8 0z"/> </svg>';

const discord = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#5865F2" d="M20.3 4.4A19.8 19.8 0 0 0 15.4 3l-.6 1.3a18.4 18.4 0 0 0-5.5 0L8.6 3a19.7 19.7 0 0 0-4.9 1.5C.6 9.1-.3 13.6.1 18.1a19.9 19.9 0 0 0 6 3l1.3-2.1a13 13 0 0 1-2-1l.5-.4a14.2 14.2 0 0 0 12.2 0l.5.4c-.6.4-1.3.7-2 1l1.3 2.1a19.8 19.8 0 0 0 6-3c.5-5.2-.9-9.7-3.6-13.7zM8 15.4c-1.2 0-2.2-1.1-2.2-2.4s1-2.4 2.2-2.4 2.2 1.1 2.2 2.4-1 2.4-2.2 2.4zm8 0c-1.2 0-2.2-1.1-2.2-2.4s1-2.4 2.2-2.4 2.2 1.1 2.2 2.4-1 2.4-2.2 2.4z"/> </svg>';

const linkedin = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#0A66C2" d="M20.45 20.45h-3.55v-5.57c0-1.33-.03-3.04-1.85-3.04-1.86 0-2.14 1.45-2.14 2.94v5.67H9.35V9h3.41v1.56h.05c.48-.9 1.64-1.85 3.37-1.85 3.6 0 4.27 2.37 4.27 5.46v6.28zM5.34 7.43a2.06 2.06 0 1 1 0-4.12 2.06 2.06 0 0 1 0 4.12zM7.12 20.45H3.56V9h3.56v11.45zM22.22 0H1.77C.79 0 0 .77 0 1.73v20.54C0 23.23.79 24 1.77 24h20.45c.98 0 1.78-.77 1.78-1.73V1.73C24 .77 23.2 0 22.22 0z"/> </svg>';

const slack = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <rect x="8.5" y="1" width="3.5" height="10" rx="1.75" fill="#36C5F0"/> <rect x="13" y="8.5" width="10" height="3.5" rx="1.75" fill="#2EB67D"/> <rect x="12" y="13" width="3.5" height="10" rx="1.75" fill="#ECB22E"/> <rect x="1" y="12" width="10" height="3.5" rx="1.75" fill="#E01E5A"/> </svg>';

const facebook = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#1877F2" d="M24 12.07C24 5.4 18.63 0 12 0S0 5.4 0 12.07C0 18.1 4.39 23.1 10.13 24v-8.44H7.08v-3.49h3.04V9.41c0-3.02 1.8-4.7 4.54-4.7 1.31 0 2.68.24 2.68.24v2.97h-1.5c-1.5 0-1.96.93-1.96 1.89v2.26h3.32l-.53 3.5h-2.8V24C19.62 23.1 24 18.1 24 12.07"/> </svg>';

const x = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="#1f2328" d="M18.9 1.2h3.7l-8 9.2L24 22.8h-7.4l-5.8-7.6-6.6 7.6H.5L9 13 0 1.2h7.6l5.2 6.9 6.1-6.9zm-1.3 19.4h2L6.5 3.2H4.3l13.3 17.4z"/> </svg>';

const generic = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"> <path fill="none" stroke="#71717a" stroke-width="2" stroke-linecap="round" d="M14.5 9.5a4 4 0 1 0-3 3.87L14 16h2v2h2v2h3v-3l-5.63-5.63c.08-.28.13-.57.13-.87zM10 8.5h.01"/> </svg>';

/** The built-in providers with a mark, by provider key. */
const marks: Record<string, string> = { google, github, microsoft, apple, gitlab, discord, linkedin, linkedin_oidc: linkedin, slack, facebook, x, twitter: x };

/** providerMarkUrl is the data: URL of the provider's mark (the generic one for a provider without). */
export function providerMarkUrl(provider: string): string {
  const svg = (Object.hasOwn(marks, provider) ? marks[provider] : undefined) ?? generic;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
