// English strings of <SignUp />. {applicationName} is the instance's name;
// {emailAddress} is the address being verified.

export const signUp = {
  steps: {
    start: { title: "Create your account", subtitle: "to continue to {applicationName}" },
    verify_email_code: { title: "Verify your email", subtitle: "Enter the code we sent to {emailAddress}" },
    verify_email_link: { title: "Verify your email", subtitle: "We sent a verification link to {emailAddress}" },
    continue: { title: "Almost there", subtitle: "Fill in the missing details to continue to {applicationName}" },
    complete: { title: "Account created", subtitle: "Taking you to {applicationName}" },
  },
  emailAddress: "Email address",
  phoneNumber: "Phone number",
  username: "Username",
  password: "Password",
  firstName: "First name",
  lastName: "Last name",
  code: "Verification code",
  legalConsent: "I agree to the {terms} and the {privacy}",
  terms: "Terms of Service",
  privacy: "Privacy Policy",
  continue: "Continue",
  resendCode: "Resend code",
  resendLink: "Resend link",
  useLink: "Email me a link instead",
  useCode: "Email me a code instead",
  waitingForLink: "Open the link in the email to continue. This page updates by itself.",
  completeText: "Your account is ready.",
  changeEmailAddress: "Change",
  restricted: "Sign-up is by invitation only. Ask the administrator for an invitation.",
  waitlist: "Sign-up is closed for now.",
  haveAccount: "Already have an account?",
  signIn: "Sign in",
};
