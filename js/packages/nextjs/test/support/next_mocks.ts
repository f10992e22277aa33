// Stand-ins for next/headers and next/navigation: the request headers a
// test sets, and a redirect() that throws like Next's does.

export const requestHeaders = { current: new Headers() };

export class RedirectSignal extends Error {
  constructor(readonly url: string) {
    super(`NEXT_REDIRECT ${url}`);
  }
}

export const nextHeadersMock = {
  headers: async () => requestHeaders.current,
};

export const nextNavigationMock = {
  redirect: (url: string): never => {
    throw new RedirectSignal(url);
  },
};
