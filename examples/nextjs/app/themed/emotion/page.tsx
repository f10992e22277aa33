import { EmotionSignIn } from "./emotion-sign-in";

// Emotion's css() must run in the browser to insert its rule, hence the
// client component.
export default function EmotionTheme() {
  return <EmotionSignIn />;
}
