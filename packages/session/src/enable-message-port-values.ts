import { markEncoding } from '@msc/eventual/handler';
import {
  type ContractRegistry,
  DecodeError,
  ValueForm,
  type ValueFormRead,
  type ValueFormWrite,
} from '@msc/serialization';
import type { Connection } from '@msc/transport';
import { type CapabilityCodec, type PayloadContext, sessionReferenceHooks } from './capability-codec.ts';
import type { SessionTracer } from './trace.ts';
import { installValueMode, type ValueMode, type ValuesChannel, type ValuesReceiver } from './value-mode.ts';
import { parseMessage } from './wire/message.ts';
import type { OutgoingMessage } from './wire/outgoing-message.ts';
import { LimitViolation, ProtocolViolation } from './wire/violations.ts';

// Values mode's parts (value-mode.ts, protocol.ts "Values mode"), installed by
// enableMessagePortValues(): the shared value forms, the writing of a message, the sending of a run
// of them as values frames, and the checking of a values frame that arrived.

const forms = new WeakMap<ContractRegistry, Map<string, ValueForm<PayloadContext>>>();
const noTransfer: ArrayBuffer[] = [];

/** The value form shared by every session with this registry and these settings (as `sharedCodec`). */
function sharedValueForm(
  registry: ContractRegistry,
  maxFrameBytes: number,
  maxDepth: number,
  errorStacks: boolean,
): ValueForm<PayloadContext> {
  let byKey = forms.get(registry);
  if (byKey === undefined) forms.set(registry, (byKey = new Map()));
  const key = `${maxFrameBytes}/${maxDepth}/${errorStacks}`;
  let form = byKey.get(key);
  if (form === undefined) {
    form = new ValueForm<PayloadContext>({
      registry,
      limits: { maxFrameBytes, maxDepth },
      errorStacks,
      hooks: sessionReferenceHooks,
    });
    byKey.set(key, form);
  }
  return form;
}

/** One session's values channel over a MessagePort-like connection (see `ValuesChannel`). */
class MessagePortValues implements ValuesChannel {
  readonly #connection: Connection;
  readonly #capabilities: CapabilityCodec;
  readonly #form: ValueForm<PayloadContext>;
  readonly #maxFrameBytes: number;
  readonly #tracer: SessionTracer | undefined;
  #agreed = false;

  constructor(
    connection: Connection,
    capabilities: CapabilityCodec,
    form: ValueForm<PayloadContext>,
    maxFrameBytes: number,
    tracer: SessionTracer | undefined,
  ) {
    this.#connection = connection;
    this.#capabilities = capabilities;
    this.#form = form;
    this.#maxFrameBytes = maxFrameBytes;
    this.#tracer = tracer;
  }

  write(message: unknown[]): ValueFormWrite {
    const context = this.#capabilities.context();
    let written: ValueFormWrite;
    // Reading a call result's `constructor` while writing it is not awaiting it.
    markEncoding(true);
    try {
      written = this.#form.write(message, context);
    } catch (error) {
      this.#capabilities.undo(context);
      throw error;
    } finally {
      markEncoding(false);
    }
    this.#capabilities.commit(context);
    return written;
  }

  send(messages: readonly OutgoingMessage[], first: number): number {
    let index = first;
    while (index < messages.length && messages[index]!.written !== undefined) {
      const values: unknown[] = [];
      let transfer: ArrayBuffer[] | undefined;
      let bytes = 0;
      while (index < messages.length && messages[index]!.written !== undefined) {
        const written = messages[index]!.written!;
        if (values.length > 0 && bytes + written.bytes > this.#maxFrameBytes) break;
        values.push(written.value);
        bytes += written.bytes;
        if (written.transfer.length > 0) (transfer ??= []).push(...written.transfer);
        index++;
      }
      this.#connection.sendValues!(values, transfer ?? noTransfer, bytes);
    }
    return index;
  }

  agree(): ValuesChannel {
    this.#agreed = true;
    return this;
  }

  receive(values: unknown, declared: number, receiver: ValuesReceiver): void {
    if (!this.#agreed) {
      throw new ProtocolViolation(
        'a values frame where values mode was not agreed: before the session was established, or with a side that did not offer it',
      );
    }
    if (!Array.isArray(values) || Object.getPrototypeOf(values) !== Array.prototype) {
      throw new ProtocolViolation('a values frame must be an array of messages');
    }
    // The frame's estimated size, across its messages, against maxFrameBytes and against the size
    // the peer declared: the connection counted the declared size for its buffer budget and its
    // acknowledgements, so a frame estimated larger would slip past that accounting.
    const declaredIsLimit = declared < this.#maxFrameBytes;
    let remaining = declaredIsLimit ? declared : this.#maxFrameBytes;
    // The frame's messages came in one clone: an object in two of them is refused as one in two
    // places of a message is (`ValueForm.read`).
    const seen = new Set<object>();
    for (let index = 0; index < values.length; index++) {
      if (receiver.isTerminated) return;
      const context = this.#capabilities.context();
      let read: ValueFormRead;
      try {
        read = this.#form.read(values[index], context, remaining, seen);
      } catch (error) {
        if (error instanceof DecodeError && error.code === 'frame-too-large') {
          if (declaredIsLimit) {
            throw new ProtocolViolation(
              `a values frame estimated larger than the ${declared} bytes its sender declared (the sender must declare its estimate)`,
            );
          }
          throw new LimitViolation(
            `expected a values frame of at most ${this.#maxFrameBytes} bytes, got one estimated past that (maxFrameBytes)`,
            'maxFrameBytes',
          );
        }
        throw error;
      }
      remaining -= read.bytes;
      const message = parseMessage(read.value);
      this.#tracer?.message('in', message, read.bytes);
      receiver.deliver(message, context);
    }
  }
}

const messagePortValues: ValueMode = {
  attach: (connection, capabilities, registry, maxFrameBytes, maxDepth, errorStacks, tracer) =>
    new MessagePortValues(
      connection,
      capabilities,
      sharedValueForm(registry, maxFrameBytes, maxDepth, errorStacks),
      maxFrameBytes,
      tracer,
    ),
};

/**
 * Enables values mode for every session that starts from now on: over a connection that carries
 * structured-clone values (`messagePortConnection`, `messagePortPair` of `@msc/transport-memory`,
 * the worker SIP's channel), a session offers it in its hello, and when the peer offers it too both
 * sides send their messages as structured clones once established, instead of CBOR (protocol.ts,
 * "Values mode"), which saves most of a call's encoding and decoding. What arrives is checked as
 * strictly as CBOR is. Opt-in on both entries of `@msc/session`: it pays off for large byte payloads
 * (transferred, not encoded), but small calls are slower than as the short strings their CBOR frames
 * travel as, and a turn of many small messages clones more slowly as one values frame than as one
 * CBOR frame (docs/protocol.md#values-mode), so sessions stay on bytes unless a program calls it
 * once before its first session (on both sides: each side offers it only when enabled). Calling it
 * again does nothing more.
 *
 * @example
 * ```ts
 * import { enableMessagePortValues } from '@msc/session';
 *
 * enableMessagePortValues(); // before the first session with the worker (and in the worker)
 * ```
 */
export function enableMessagePortValues(): void {
  installValueMode(messagePortValues);
}
