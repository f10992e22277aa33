// Parts shared by every component: the pieces the default slots render
// inside an element that already carries a component's part.

export const commonParts = ["spinner"] as const;
