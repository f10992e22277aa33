// Slots let an app swap the building blocks of every drop-in for its own
// components (components={{ SubmitButton: MyButton }}). A slot receives the
// part props (className, style, data-*) and the element's behaviour props,
// and must spread them on the element it renders.

import { useContext, type AnchorHTMLAttributes, type ButtonHTMLAttributes, type ComponentType, type HTMLAttributes, type InputHTMLAttributes, type Ref } from "react";
import { usePart } from "./use-part";
import { ScopeContext } from "./appearance";

/** CardProps: the outermost box of a drop-in. */
export interface CardProps extends HTMLAttributes<HTMLDivElement> {
  ref?: Ref<HTMLDivElement>;
}

/** HeaderProps: the title block at the top of a card. */
export interface HeaderProps extends HTMLAttributes<HTMLDivElement> {
  ref?: Ref<HTMLDivElement>;
}

/** FooterProps: the block under a card's form ("Don't have an account?"). */
export interface FooterProps extends HTMLAttributes<HTMLDivElement> {
  ref?: Ref<HTMLDivElement>;
}

/** SubmitButtonProps: a form's primary button; busy while its request is in flight. */
export interface SubmitButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  busy: boolean;
  ref?: Ref<HTMLButtonElement>;
}

/** ButtonProps: a secondary action ("Resend code", "Use another method"). */
export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  ref?: Ref<HTMLButtonElement>;
}

/** InputProps: a text, email, password or checkbox input. */
export interface InputProps extends InputHTMLAttributes<HTMLInputElement> {
  ref?: Ref<HTMLInputElement>;
}

/** LinkProps: a navigation link (swap in your router's Link). */
export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  href: string;
  ref?: Ref<HTMLAnchorElement>;
}

/** SocialButtonProps: a "Continue with <provider>" button. */
export interface SocialButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** The provider's key ("google", "github"). */
  provider: string;
  busy: boolean;
  ref?: Ref<HTMLButtonElement>;
}

/** AvatarProps: a user's picture, or their initials when they have none. */
export interface AvatarProps extends HTMLAttributes<HTMLElement> {
  /** The picture's URL, or null to show initials. */
  src: string | null;
  initials: string;
  /** Accessible name; "" when the avatar is decorative (the name is shown beside it). */
  alt: string;
}

/** Slots are the swappable components, by name. */
export interface Slots {
  Card: ComponentType<CardProps>;
  Header: ComponentType<HeaderProps>;
  Footer: ComponentType<FooterProps>;
  SubmitButton: ComponentType<SubmitButtonProps>;
  Button: ComponentType<ButtonProps>;
  Input: ComponentType<InputProps>;
  Link: ComponentType<LinkProps>;
  SocialButton: ComponentType<SocialButtonProps>;
  Avatar: ComponentType<AvatarProps>;
}

function Card(props: CardProps) {
  return <div {...props} />;
}

function Header(props: HeaderProps) {
  return <div {...props} />;
}

function Footer(props: FooterProps) {
  return <div {...props} />;
}

function Spinner() {
  return <span {...usePart("common-spinner")} aria-hidden="true" />;
}

function SubmitButton({ busy, children, ...props }: SubmitButtonProps) {
  return (
    <button {...props}>
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

function Button(props: ButtonProps) {
  return <button {...props} />;
}

function Input(props: InputProps) {
  return <input {...props} />;
}

function Link(props: LinkProps) {
  return <a {...props} />;
}

function SocialButton({ provider, busy, children, ...props }: SocialButtonProps) {
  return (
    <button {...props} data-provider={provider}>
      {busy ? <Spinner /> : null}
      {children}
    </button>
  );
}

function Avatar({ src, initials, alt, ...props }: AvatarProps) {
  if (src) return <img {...props} src={src} alt={alt} />;
  const label = alt ? { role: "img", "aria-label": alt } : { "aria-hidden": true };
  return (
    <span {...props} {...label}>
      {initials}
    </span>
  );
}

/** defaultSlots are the components used when the app swaps none. */
export const defaultSlots: Slots = { Card, Header, Footer, SubmitButton, Button, Input, Link, SocialButton, Avatar };

/** useSlot returns the app's component for the slot, or the default one. */
export function useSlot<K extends keyof Slots>(name: K): Slots[K] {
  return useContext(ScopeContext).components[name] ?? defaultSlots[name];
}
