// French strings of <SignUp />.

import type { signUp as en } from "../en/sign-up";

export const signUp: typeof en = {
  steps: {
    start: { title: "Créez votre compte", subtitle: "pour continuer vers {applicationName}" },
    verify_email_code: { title: "Vérifiez votre adresse e-mail", subtitle: "Saisissez le code envoyé à {emailAddress}" },
    verify_email_link: { title: "Vérifiez votre adresse e-mail", subtitle: "Nous avons envoyé un lien de vérification à {emailAddress}" },
    continue: { title: "Presque terminé", subtitle: "Complétez les informations manquantes pour continuer vers {applicationName}" },
    complete: { title: "Compte créé", subtitle: "Direction {applicationName}" },
  },
  emailAddress: "Adresse e-mail",
  phoneNumber: "Numéro de téléphone",
  username: "Nom d'utilisateur",
  password: "Mot de passe",
  firstName: "Prénom",
  lastName: "Nom",
  code: "Code de vérification",
  legalConsent: "J'accepte les {terms} et la {privacy}",
  terms: "conditions d'utilisation",
  privacy: "politique de confidentialité",
  continue: "Continuer",
  resendCode: "Renvoyer le code",
  resendLink: "Renvoyer le lien",
  useLink: "M'envoyer plutôt un lien",
  useCode: "M'envoyer plutôt un code",
  waitingForLink: "Ouvrez le lien reçu par e-mail pour continuer. Cette page se met à jour toute seule.",
  completeText: "Votre compte est prêt.",
  changeEmailAddress: "Modifier",
  restricted: "L'inscription se fait uniquement sur invitation. Demandez une invitation à l'administrateur.",
  waitlist: "Les inscriptions sont fermées pour le moment.",
  haveAccount: "Vous avez déjà un compte ?",
  signIn: "Se connecter",
};
