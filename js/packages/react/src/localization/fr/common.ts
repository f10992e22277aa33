// French strings shared by every component.

import type { common as en } from "../en/common";

export const common: typeof en = {
  locale: "fr",
  optional: "Facultatif",
  close: "Fermer",
  loading: "Chargement…",
  continue: "Continuer",
  back: "Retour",
  change: "Modifier",
  working: "Veuillez patienter…",
  social: {
    continueWith: "Continuer avec {provider}",
    divider: "ou",
  },
};
