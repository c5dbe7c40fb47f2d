import { type ContractRegistry, ValueForm } from '@msc/serialization';
import { type PayloadContext, sessionReferenceHooks } from './capability-codec.ts';
import { installValueForms } from './value-mode.ts';

const forms = new WeakMap<ContractRegistry, Map<string, ValueForm<PayloadContext>>>();

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

/**
 * Enables values mode for every session that starts from now on: over a connection that carries
 * structured-clone values (`messagePortConnection`, `messagePortPair` of `@msc/transport-memory`,
 * the worker SIP's channel), a session offers it in its hello, and when the peer offers it too both
 * sides send their messages as structured clones once established, instead of CBOR (protocol.ts,
 * "Values mode"), which saves most of a call's encoding and decoding. What arrives is checked as
 * strictly as CBOR is. `@msc/session`'s Node (default) entry calls it when it loads; its `browser`
 * entry leaves it out to keep pages small, so a page talking to a worker over a MessagePort calls it
 * once before its first session. Calling it again does nothing more.
 *
 * @example
 * ```ts
 * import { enableMessagePortValues } from '@msc/session';
 *
 * enableMessagePortValues(); // before the page's first session with its worker
 * ```
 */
export function enableMessagePortValues(): void {
  installValueForms(sharedValueForm);
}
