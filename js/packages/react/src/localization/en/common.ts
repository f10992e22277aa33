// English strings shared by every component.

export const common = {
  /** BCP 47 tag used for dates and numbers. */
  locale: "en",
  optional: "Optional",
  close: "Close",
  loading: "Loading…",
  continue: "Continue",
  back: "Back",
  change: "Change",
  working: "Please wait…",
  social: {
    /** A social button's text ({provider} is the provider's name, "Google"). */
    continueWith: "Continue with {provider}",
    /** Between the social buttons and the form. */
    divider: "or",
  },
};
