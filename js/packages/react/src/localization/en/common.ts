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
};
