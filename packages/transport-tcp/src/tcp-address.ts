import { isIPv6 } from 'node:net';

/** A parsed `tcp:` address. */
export interface TcpAddress {
  /** Host name or IP address, IPv6 without brackets. */
  readonly host: string;
  /** Port number, 0–65535 (0 only when listening). */
  readonly port: number;
}

const hostNamePattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/**
 * Parses `tcp:host:port`, `tcp:[v6]:port` or the same without the `tcp:` prefix. Returns a description of what is
 * wrong instead when the address is not one; `allowPortZero` admits port 0 (listening on a free port).
 */
export function parseTcpAddress(address: string, allowPortZero: boolean): TcpAddress | string {
  const rest = address.startsWith('tcp:') ? address.slice(4) : address;
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return 'an IPv6 host in brackets followed by ":port"';
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (!isIPv6(host)) return `a valid IPv6 address in the brackets, not "${host}"`;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return 'a "host:port" after "tcp:"';
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) return 'an IPv6 host written in brackets, like "tcp:[::1]:7000"';
    if (!hostNamePattern.test(host)) return `a host name or IPv4 address, not "${host}"`;
  }
  if (!/^\d{1,5}$/.test(portText)) return `a port number, not "${portText}"`;
  const port = Number(portText);
  if (port > 65_535 || (port === 0 && !allowPortZero)) {
    return `a port from ${allowPortZero ? 0 : 1} to 65535, not ${port}`;
  }
  return { host, port };
}

/** Formats `host` and `port` as a `tcp:` address (IPv6 hosts in brackets, an IPv4-mapped IPv6 host unwrapped). */
export function formatTcpAddress(host: string | undefined, port: number | undefined): string {
  let shown = host ?? 'unknown';
  if (shown.startsWith('::ffff:') && shown.includes('.')) shown = shown.slice(7);
  return shown.includes(':') ? `tcp:[${shown}]:${port ?? 0}` : `tcp:${shown}:${port ?? 0}`;
}
