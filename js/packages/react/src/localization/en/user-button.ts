// English strings of <UserButton />.

export const userButton = {
  menu: "Account",
  manageAccount: "Manage account",
  /** The group of the other signed-in accounts (multi-session). */
  otherAccounts: "Switch account",
  signOut: "Sign out",
  signOutAll: "Sign out of all accounts",
};
