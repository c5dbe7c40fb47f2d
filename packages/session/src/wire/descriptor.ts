import {
  type Descriptor,
  descriptorKindReceiverAnswer,
  descriptorKindReceiverExport,
  descriptorKindSenderExport,
  descriptorKindSenderPromise,
  descriptorKindStream,
  receiverGetsConsumer,
  receiverGetsProducer,
  type StreamDescriptor,
} from './protocol.ts';
import { isCount, isId, ProtocolViolation } from './violations.ts';

/**
 * Checks of the descriptors inside payloads (see `DescriptorKind` in protocol.ts). The codec hook
 * calls {@link parseDescriptor} on every descriptor a payload brings, so the parts that resolve
 * descriptors meet only well-formed ones.
 */

/**
 * Whether `value` is a well-formed capability descriptor: `[kind, id]` with a capability kind.
 * (`SenderPromise` is well-formed in every version; a version 1 session refuses it when resolving.)
 */
export function isCapabilityDescriptor(value: unknown): value is Descriptor {
  if (!Array.isArray(value) || value.length !== 2 || !isId(value[1])) return false;
  const kind = value[0];
  return (
    kind === descriptorKindSenderExport ||
    kind === descriptorKindReceiverExport ||
    kind === descriptorKindReceiverAnswer ||
    kind === descriptorKindSenderPromise
  );
}

/**
 * Checks a descriptor from a payload.
 *
 * @throws ProtocolViolation for anything but a well-formed capability or stream descriptor
 */
export function parseDescriptor(value: unknown): Descriptor | StreamDescriptor {
  if (Array.isArray(value) && value[0] === descriptorKindStream) {
    const [, id, , receiverGets] = value;
    if (!isCount(id)) throw new ProtocolViolation(`bad stream id ${String(id)}`);
    if (receiverGets !== receiverGetsConsumer && receiverGets !== receiverGetsProducer) {
      throw new ProtocolViolation('bad stream descriptor');
    }
    return value as unknown as StreamDescriptor;
  }
  if (isCapabilityDescriptor(value)) return value;
  if (Array.isArray(value) && value.length === 2 && isId(value[1])) {
    throw new ProtocolViolation(`unknown capability descriptor kind ${String(value[0])}`);
  }
  throw new ProtocolViolation('malformed capability descriptor');
}
