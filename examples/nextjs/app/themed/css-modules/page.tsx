import { SignIn } from "@latchkey/nextjs";
import styles from "./submit.module.css";

// A CSS module class on a part: unlayered CSS beats the layered skin.
export default function CssModulesTheme() {
  return <SignIn appearance={{ classNames: { "signIn-submit": styles.submit } }} />;
}
