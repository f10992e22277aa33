// French strings of <SignIn />.

import type { signIn as en } from "../en/sign-in";

export const signIn: typeof en = {
  steps: {
    identifier: { title: "Connexion", subtitle: "pour continuer vers {applicationName}" },
    password: { title: "Saisissez votre mot de passe", subtitle: "Saisissez le mot de passe de votre compte" },
    choose_strategy: { title: "Utiliser une autre méthode", subtitle: "Choisissez comment vous connecter" },
    email_code: { title: "Consultez vos e-mails", subtitle: "Saisissez le code envoyé à {identifier}" },
    email_link: { title: "Consultez vos e-mails", subtitle: "Nous avons envoyé un lien de connexion à {identifier}" },
    forgot_password: { title: "Mot de passe oublié ?", subtitle: "Choisissez comment le réinitialiser" },
    reset_code: { title: "Consultez vos e-mails", subtitle: "Saisissez le code envoyé à {identifier} pour réinitialiser votre mot de passe" },
    reset_link: { title: "Consultez vos e-mails", subtitle: "Nous avons envoyé un lien de réinitialisation à {identifier}" },
    new_password: { title: "Nouveau mot de passe", subtitle: "Choisissez un mot de passe que vous n'utilisez nulle part ailleurs" },
    complete: { title: "Connecté", subtitle: "Retour vers {applicationName}" },
  },
  identifier: {
    email: "Adresse e-mail",
    username: "Nom d'utilisateur",
    phone: "Numéro de téléphone",
    emailOrUsername: "Adresse e-mail ou nom d'utilisateur",
    emailOrPhone: "Adresse e-mail ou numéro de téléphone",
    usernameOrPhone: "Nom d'utilisateur ou numéro de téléphone",
    any: "Adresse e-mail, nom d'utilisateur ou numéro de téléphone",
  },
  password: "Mot de passe",
  code: "Code de vérification",
  newPassword: "Nouveau mot de passe",
  signOutOfOtherSessions: "Se déconnecter de tous les autres appareils",
  continue: "Continuer",
  resetPassword: "Réinitialiser le mot de passe",
  forgotPassword: "Mot de passe oublié ?",
  useAnotherMethod: "Utiliser une autre méthode",
  resendCode: "Renvoyer le code",
  resendLink: "Renvoyer le lien",
  waitingForLink: "Ouvrez le lien reçu par e-mail pour continuer. Cette page se met à jour toute seule.",
  completeText: "Vous êtes connecté.",
  changeIdentifier: "Modifier",
  strategies: {
    password: "Se connecter avec son mot de passe",
    email_code: "Envoyer un code à {identifier}",
    email_link: "Envoyer un lien de connexion à {identifier}",
    reset_password_email_code: "M'envoyer un code pour réinitialiser mon mot de passe",
    reset_password_email_link: "M'envoyer un lien pour réinitialiser mon mot de passe",
  },
  noAccount: "Vous n'avez pas de compte ?",
  signUp: "Créer un compte",
};
