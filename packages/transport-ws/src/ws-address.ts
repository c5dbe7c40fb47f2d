/** A parsed `ws://` or `wss://` address. */
export interface WebSocketAddress {
  readonly secure: boolean;
  /** Host name or IP address, IPv6 without brackets. */
  readonly host: string;
  /** Port; 0 only when listening. Defaults to 80 (`ws:`) or 443 (`wss:`) when the address has none. */
  readonly port: number;
  /** Path, always starting with `/` (default `/`); the query string is kept for dialing. */
  readonly path: string;
}

/**
 * Parses `ws://host:port/path` or `wss://…` (IPv6 hosts in brackets). Returns a description of what is wrong when
 * the address is not one.
 */
export function parseWebSocketAddress(address: string, allowPortZero: boolean): WebSocketAddress | string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return 'a URL like "ws://127.0.0.1:8080/path"';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    return `the scheme "ws:" or "wss:", not "${url.protocol}"`;
  if (url.hostname === '') return 'a host';
  if (url.username !== '' || url.password !== '') return 'no user name or password';
  if (url.hash !== '') return 'no fragment ("#…")';
  const secure = url.protocol === 'wss:';
  // URL drops a port equal to the scheme's default, and rejects ports over 65535; port 0 survives as "0".
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  if (port === 0 && !allowPortZero) return 'a port from 1 to 65535, not 0';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { secure, host, port, path: `${url.pathname}${url.search}` };
}

/** Formats an address (IPv6 hosts in brackets, an IPv4-mapped IPv6 host unwrapped). */
export function formatWebSocketAddress(
  secure: boolean,
  host: string | undefined,
  port: number | undefined,
  path = '',
): string {
  let shown = host ?? 'unknown';
  if (shown.startsWith('::ffff:') && shown.includes('.')) shown = shown.slice(7);
  const hostPart = shown.includes(':') ? `[${shown}]` : shown;
  return `${secure ? 'wss' : 'ws'}://${hostPart}:${port ?? 0}${path}`;
}
