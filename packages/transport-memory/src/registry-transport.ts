import {
  type Connection,
  DialError,
  type DialOptions,
  ListenError,
  type Listener,
  type ListenOptions,
} from '@msc/transport';
import { handOverConnection, raceDial } from '@msc/transport/kit';
import type { AcceptConnection, MemoryRegistry } from './memory-registry.ts';

/**
 * Creates the two ends of a new connection for a dial to `listenerAddress`; the first end goes to the dialer,
 * the second to the listener.
 */
export type CreateConnectionPair<C extends Connection> = (
  dialerAddress: string,
  listenerAddress: string,
) => [C, C];

/** What the in-process transports (`memory()`, `messagePortTransport()`) share: naming, dial and listen. */
export interface RegistryTransportParts<C extends Connection> {
  readonly scheme: string;
  readonly registry: MemoryRegistry;
  /** Milliseconds a dial takes (the simulated connection setup); 0 for none. */
  readonly dialDelayMs: number;
  readonly createPair: CreateConnectionPair<C>;
}

/**
 * Parses `scheme:name` (or a bare `name` without a colon) into the canonical address `scheme:name`. An empty name
 * is allowed only when `allowEmpty` (listening on "any name"). Returns undefined for another scheme.
 */
function canonicalAddress(scheme: string, address: string, allowEmpty: boolean): string | undefined {
  const prefix = `${scheme}:`;
  let name: string;
  if (address.startsWith(prefix)) name = address.slice(prefix.length);
  else if (!address.includes(':')) name = address;
  else return undefined;
  if (name.includes('#')) return undefined; // '#' separates connection numbers in connection addresses
  if (name === '' && !allowEmpty) return undefined;
  return `${prefix}${name}`;
}

function abortedDial(address: string, signal: AbortSignal): DialError {
  return DialError.aborted(address, signal.reason);
}

/** Waits `milliseconds` (the simulated latency), rejecting early with DialError `aborted` or `timeout`. */
function waitForDial(milliseconds: number, address: string, options: DialOptions): Promise<void> {
  const { signal, timeoutMs } = options;
  return raceDial<void>(
    address,
    { signal, timeoutMs: timeoutMs !== undefined && timeoutMs < milliseconds ? timeoutMs : undefined },
    (attempt) => {
      const delayTimer = setTimeout(() => attempt.succeed(undefined), milliseconds);
      return () => clearTimeout(delayTimer);
    },
  );
}

/** Dials through a registry; see `memory()` for the behaviour. */
export async function registryDial<C extends Connection>(
  parts: RegistryTransportParts<C>,
  address: string,
  options: DialOptions = {},
): Promise<C> {
  const target = canonicalAddress(parts.scheme, address, false);
  if (target === undefined) {
    throw new DialError(
      'bad-address',
      address,
      `expected an address like "${parts.scheme}:name", but got "${address}"`,
    );
  }
  if (options.signal?.aborted) throw abortedDial(address, options.signal);
  if (parts.dialDelayMs > 0) await waitForDial(parts.dialDelayMs, address, options);
  else await undefined; // the listener never runs in the dialer's stack
  if (options.signal?.aborted) throw abortedDial(address, options.signal);
  const accept = parts.registry.lookup(target);
  if (accept === undefined) {
    throw new DialError('refused', address, `expected a listener at ${target}, but nothing listens there`);
  }
  const [dialed, accepted] = parts.createPair(`${target}#${parts.registry.nextConnectionNumber()}`, target);
  handOverConnection(accepted, accept);
  return dialed;
}

/** Listens through a registry; see `memory()` for the behaviour. */
export async function registryListen<C extends Connection>(
  parts: RegistryTransportParts<C>,
  address: string,
  onConnection: (connection: C) => void,
  options: ListenOptions = {},
): Promise<Listener> {
  const canonical = canonicalAddress(parts.scheme, address, true);
  if (canonical === undefined) {
    throw new ListenError(
      'bad-address',
      address,
      `expected an address like "${parts.scheme}:name" (or "${parts.scheme}:" for a fresh name), but got "${address}"`,
    );
  }
  const { signal } = options;
  if (signal?.aborted) {
    throw new ListenError('aborted', address, `expected to listen on ${address}, but the signal was aborted`);
  }
  const bound =
    canonical === `${parts.scheme}:` ? `${parts.scheme}:${parts.registry.uniqueName('listener')}` : canonical;
  const accept = onConnection as AcceptConnection;
  if (!parts.registry.bind(bound, accept)) {
    throw new ListenError(
      'address-in-use',
      address,
      `expected ${bound} to be free, but something listens there`,
    );
  }
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const close = (): Promise<void> => {
    parts.registry.unbind(bound, accept);
    signal?.removeEventListener('abort', onAbort);
    resolveClosed();
    return closed;
  };
  const onAbort = () => void close();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { address: bound, close, closed };
}
