// <UserProfile />: the drop-in account page of the signed-in user.

export { UserProfile, type UserProfileProps } from "./user-profile";
export { type SectionDefinition, type SectionProps, type UserProfilePage } from "./sections";
