/**
 * REQUEST_URL_HEADER carries the page's URL from the middleware to auth()
 * (server components do not see the URL), for redirectToSignIn(). The
 * middleware always overwrites it, so a client cannot choose its value on
 * the routes the middleware covers.
 */
export const REQUEST_URL_HEADER = "x-latchkey-request-url";
