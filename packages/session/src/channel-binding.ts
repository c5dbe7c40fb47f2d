import type { Connection } from '@msc/transport';
import type { SessionRole } from './authenticator.ts';

/**
 * The channel binding an authenticator signs (`AuthenticationContext.channelBinding`): the
 * connection's addresses, the dialer's side first (`dialer\nlistener`), so both sides compute the
 * same bytes; empty when either side cannot see the real addresses (a browser; both hellos say so).
 * One definition for the handshake and for a resume, whose bindings must agree byte for byte.
 */
export function channelBinding(
  connection: Connection,
  role: SessionRole,
  bindAddresses: boolean,
): Uint8Array {
  if (!bindAddresses) return new Uint8Array(0);
  const local = connection.localAddress;
  const remote = connection.remoteAddress;
  return new TextEncoder().encode(role === 'dialer' ? `${local}\n${remote}` : `${remote}\n${local}`);
}
