import type { ContractRegistry, ValueForm } from '@msc/serialization';
import type { PayloadContext } from './capability-codec.ts';

/**
 * Values mode's slot (protocol.ts, "Values mode"): how a session gets the value form it sends and
 * reads messages with over a connection that carries values. Empty until
 * {@link installValueForms} fills it (`enableMessagePortValues()`): the `browser` entry leaves it
 * empty so a page that never talks over a MessagePort does not carry the value form's code, and a
 * session without it simply does not offer values in its hello.
 */

/** Makes (or reuses) the value form of a session with these settings. */
export type ValueFormFactory = (
  registry: ContractRegistry,
  maxFrameBytes: number,
  maxDepth: number,
  errorStacks: boolean,
) => ValueForm<PayloadContext>;

let factory: ValueFormFactory | undefined;

/** Fills the slot; sessions started from now on offer values where their connection carries them. */
export function installValueForms(make: ValueFormFactory): void {
  factory = make;
}

/** The installed factory, or `undefined` when values mode is not enabled. */
export function valueFormFactory(): ValueFormFactory | undefined {
  return factory;
}
