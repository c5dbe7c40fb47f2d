import { isIPv6 } from 'node:net';

/** A parsed `tcp:` address. */
export interface TcpAddress {
  /** Host name or IP address, IPv6 without brackets. */
  readonly host: string;
  /** Port number, 0–65535 (0 only when listening). */
  readonly port: number;
}

const hostNamePattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** A URL scheme at the start of an address: `name:` then the rest. */
const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

/** Schemes other transports of this project (or the web) use, recognised even without `//`. */
const otherSchemes: ReadonlySet<string> = new Set([
  'memory',
  'ws',
  'wss',
  'http',
  'https',
  'tls',
  'udp',
  'unix',
  'ipc',
]);

/** The address forms `tcp()` accepts, for messages. */
const accepted = '"tcp:host:port", "tcp:[ipv6]:port" or "host:port"';

/**
 * The scheme `address` starts with when it is not `tcp:` (`"http"` for `http://host/`), or
 * undefined when it has none: `host:port` and unbracketed IPv6 (`fe80::1:7000`) are not schemes.
 */
function foreignScheme(address: string): string | undefined {
  const match = schemePattern.exec(address);
  if (match === null) return undefined;
  const [, name, rest] = match as unknown as [string, string, string];
  if (otherSchemes.has(name.toLowerCase()) || rest.startsWith('//')) return name;
  // `udp:1.2.3.4:5`: another scheme in front of a host:port (but `fe80::1:7000` is IPv6).
  if (rest.includes(':') && !rest.startsWith(':') && !isIPv6(address.slice(0, address.lastIndexOf(':')))) {
    return name;
  }
  return undefined;
}

/**
 * Parses `tcp:host:port`, `tcp:[v6]:port` or the same without the `tcp:` prefix. Returns the whole
 * error message instead when the address is not one (what was expected, what came, and for a URL
 * of another scheme which transport to use); `allowPortZero` admits port 0 (listening on a free port).
 */
export function parseTcpAddress(address: string, allowPortZero: boolean): TcpAddress | string {
  const problem = (expected: string) => `expected a TCP address with ${expected}, but got "${address}"`;
  let rest: string;
  if (address.startsWith('tcp:')) {
    rest = address.slice(4);
  } else {
    const scheme = foreignScheme(address);
    if (scheme !== undefined) {
      const lower = scheme.toLowerCase();
      const hint = ['http', 'https', 'ws', 'wss'].includes(lower)
        ? '; for a WebSocket URL use ws() from @msc/transport-ws'
        : '';
      return `expected a TCP address (${accepted}), but got "${address}": tcp() does not support the scheme "${scheme}:"${hint}`;
    }
    rest = address;
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return problem('an IPv6 host in brackets followed by ":port"');
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (!isIPv6(host)) return problem(`a valid IPv6 address in the brackets, not "${host}"`);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return problem(`a ":port" after the host (${accepted})`);
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) return problem('an IPv6 host written in brackets, like "tcp:[::1]:7000"');
    if (!hostNamePattern.test(host)) return problem(`a host name or IPv4 address, not "${host}"`);
  }
  if (!/^\d{1,5}$/.test(portText)) return problem(`a port number, not "${portText}"`);
  const port = Number(portText);
  if (port > 65_535 || (port === 0 && !allowPortZero)) {
    return problem(`a port from ${allowPortZero ? 0 : 1} to 65535, not ${port}`);
  }
  return { host, port };
}

/** Formats `host` and `port` as a `tcp:` address (IPv6 hosts in brackets, an IPv4-mapped IPv6 host unwrapped). */
export function formatTcpAddress(host: string | undefined, port: number | undefined): string {
  let shown = host ?? 'unknown';
  if (shown.startsWith('::ffff:') && shown.includes('.')) shown = shown.slice(7);
  return shown.includes(':') ? `tcp:[${shown}]:${port ?? 0}` : `tcp:${shown}:${port ?? 0}`;
}
