// The French locale, as its own entry point: plain data, so a server
// component can import it and pass it to <LatchkeyProvider localization={fr}>.

export { fr } from "../localization/fr";
