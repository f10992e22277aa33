// <UserButton />: the drop-in avatar and account menu of the signed-in user.

export { UserButton, type UserButtonProps } from "./user-button";
