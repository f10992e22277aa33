// The parts of <UserButton />: each becomes the class "lk-userButton-<part>"
// on the element it names. Part names are public API (stylesheets and
// appearance.classNames target them): add freely, rename or remove only with
// a changelog entry.

export const userButtonParts = [
  "root",
  "trigger",
  "avatar",
  "name",
  "popover",
  "identity",
  "identityAvatar",
  "identityText",
  "identityName",
  "identityEmail",
  "menu",
  "manageAccount",
  "separator",
  "sessions",
  "session",
  "sessionAvatar",
  "sessionText",
  "sessionName",
  "sessionEmail",
  "signOut",
  "signOutAll",
  "error",
] as const;
