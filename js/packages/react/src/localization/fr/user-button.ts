// French strings of <UserButton />.

import type { userButton as en } from "../en/user-button";

export const userButton: typeof en = {
  menu: "Compte",
  manageAccount: "Gérer le compte",
  otherAccounts: "Changer de compte",
  signOut: "Se déconnecter",
  signOutAll: "Se déconnecter de tous les comptes",
};
