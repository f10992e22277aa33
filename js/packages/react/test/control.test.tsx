import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, screen } from "@testing-library/react";
import { Protect, RedirectToSignIn, SignedIn, SignedOut } from "../src/control";
import { FakeClient } from "./fake-client";
import { makeUser } from "./fixtures";
import { renderWithClient } from "./render";

afterEach(() => {
  window.history.replaceState(null, "", "/");
});

function Gates() {
  return (
    <>
      <SignedIn>
        <p>in</p>
      </SignedIn>
      <SignedOut>
        <p>out</p>
      </SignedOut>
    </>
  );
}

describe("<SignedIn> and <SignedOut>", () => {
  it("render by who is signed in, and follow changes", async () => {
    const { client, container } = renderWithClient(<Gates />, { init: { user: makeUser() } });
    expect(container.textContent).toBe("in");
    await act(async () => client.signOutNow());
    expect(container.textContent).toBe("out");
    await act(async () => client.signInAs(makeUser()));
    expect(container.textContent).toBe("in");
  });

  it("render neither until the client is loaded", () => {
    const { container } = renderWithClient(<Gates />, { init: { loaded: false } });
    expect(container.textContent).toBe("");
  });
});

describe("<Protect>", () => {
  const claims = { o: { id: "org_1", slug: "acme", role: "admin", permissions: ["org:invoices:read"] } };

  it("checks the role and permission claims", () => {
    renderWithClient(
      <>
        <Protect role="admin">
          <p>admin</p>
        </Protect>
        <Protect role="member" fallback={<p>not member</p>}>
          <p>member</p>
        </Protect>
        <Protect permission="org:invoices:read">
          <p>invoices</p>
        </Protect>
        <Protect permission="org:invoices:write">
          <p>write</p>
        </Protect>
        <Protect condition={(has) => has({ role: "admin" }) && !has({ permission: "org:invoices:write" })}>
          <p>custom</p>
        </Protect>
      </>,
      { init: { user: makeUser(), claims } },
    );
    expect(screen.queryByText("admin")).not.toBeNull();
    expect(screen.queryByText("member")).toBeNull();
    expect(screen.queryByText("not member")).not.toBeNull();
    expect(screen.queryByText("invoices")).not.toBeNull();
    expect(screen.queryByText("write")).toBeNull();
    expect(screen.queryByText("custom")).not.toBeNull();
  });

  it("reads top-level role and permissions claims of a claims template", () => {
    renderWithClient(
      <Protect role="editor" permission="posts:publish">
        <p>publish</p>
      </Protect>,
      { init: { user: makeUser(), claims: { role: "editor", permissions: ["posts:publish"] } } },
    );
    expect(screen.queryByText("publish")).not.toBeNull();
  });

  it("shows the fallback when signed out, even without checks", () => {
    renderWithClient(
      <Protect fallback={<p>please sign in</p>}>
        <p>secret</p>
      </Protect>,
      { client: new FakeClient() },
    );
    expect(screen.queryByText("secret")).toBeNull();
    expect(screen.queryByText("please sign in")).not.toBeNull();
  });
});

describe("<RedirectToSignIn>", () => {
  it("goes to the sign-in page with the way back", () => {
    const assign = vi.spyOn(window.location, "assign").mockImplementation(() => undefined);
    window.history.replaceState(null, "", "/dashboard?tab=2");
    renderWithClient(<RedirectToSignIn />);
    expect(assign).toHaveBeenCalledWith("/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fdashboard%3Ftab%3D2");
    assign.mockClear();
    render(<RedirectToSignIn signInUrl="https://auth.example.com/sign-in?x=1" redirectUrl="/after" />);
    expect(assign).toHaveBeenCalledWith("https://auth.example.com/sign-in?x=1&redirect_url=%2Fafter");
    assign.mockRestore();
  });
});
