import { path, type Method } from "./api";
import type { MeAPI } from "./types";
import { LatchkeyError } from "./errors";
import type { Device, EmailAddress, ExternalAccount, User } from "./resources";

type Request = <T>(method: Method, path: string, body?: unknown) => Promise<T>;

/**
 * createMe is the /v1/me API of a client. Every answer carries the client,
 * whose sessions carry their users, so the state (and the other tabs)
 * follow each change; onUser also applies a returned user directly.
 */
export function createMe(request: Request, onUser: (user: User) => void, navigate: (url: string) => void): MeAPI {
  const user = async (method: Method, p: string, body?: unknown): Promise<User> => {
    const u = await request<User>(method, p, body);
    onUser(u);
    return u;
  };
  return {
    update: (fields) => user("PATCH", "/me", fields),
    delete: async () => {
      await request("DELETE", "/me");
    },
    createEmailAddress: (emailAddress) => request<EmailAddress>("POST", "/me/email_addresses", { email_address: emailAddress }),
    prepareEmailVerification: (id) => request<EmailAddress>("POST", path`/me/email_addresses/${id}/prepare_verification`, { strategy: "email_code" }),
    attemptEmailVerification: (id, code) => request<EmailAddress>("POST", path`/me/email_addresses/${id}/attempt_verification`, { code }),
    makePrimaryEmailAddress: (id) => user("POST", path`/me/email_addresses/${id}/make_primary`),
    deleteEmailAddress: async (id) => {
      await request("DELETE", path`/me/email_addresses/${id}`);
    },
    changePassword: ({ currentPassword, newPassword, signOutOfOtherSessions }) => {
      const body: Record<string, unknown> = { new_password: newPassword };
      if (currentPassword !== undefined) body.current_password = currentPassword;
      if (signOutOfOtherSessions !== undefined) body.sign_out_of_other_sessions = signOutOfOtherSessions;
      return user("POST", "/me/change_password", body);
    },
    listSessions: async () => (await request<{ data: Device[] }>("GET", "/me/sessions")).data,
    revokeSession: async (id) => {
      await request("POST", path`/me/sessions/${id}/revoke`);
    },
    setProfileImage: (file) => {
      const form = new FormData();
      form.append("file", file);
      return user("POST", "/me/profile_image", form);
    },
    removeProfileImage: () => user("DELETE", "/me/profile_image"),
    connectExternalAccount: async (strategy, redirectUrl) => {
      const account = await request<ExternalAccount>("POST", "/me/external_accounts", { strategy, redirect_url: redirectUrl });
      const url = account.verification?.external_verification_redirect_url;
      if (!url) throw new LatchkeyError({ code: "response_invalid", message: "The server sent no provider page to go to.", status: 200 });
      navigate(url);
      return account;
    },
    disconnectExternalAccount: async (id) => {
      await request("DELETE", path`/me/external_accounts/${id}`);
    },
  };
}
