/**
 * The Content-Security-Policy of the browser client: the page may run only its own script
 * (`/lobby.js`), use only its own style sheet (`/lobby.css`; no inline style, no `style`
 * attributes), and talk only to its own origin (`connect-src 'self'` covers the same-origin
 * `ws:`/`wss:` endpoint); nothing else loads, no form posts, no `<base>`, and no other site may
 * frame it (`frame-ancestors 'none'`, against clickjacking).
 */
export const contentSecurityPolicy = contentSecurityPolicyFor([]);

/**
 * The CSP above, with `connectSources` (other lobby nodes' WebSocket addresses, `ws://host:port/msc`,
 * checked by the caller to hold no space, quote, `;` or `,`) added to `connect-src`: in a cluster,
 * the page may follow a redirect to the node that owns a game.
 */
export function contentSecurityPolicyFor(connectSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Headers every response of the page server carries: the CSP, `nosniff` (a response is only ever
 * run or shown as the type it says), the legacy `X-Frame-Options` for browsers without
 * `frame-ancestors`, no referrer, and a browsing context of its own.
 */
export const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
