import type { ContractRegistry } from './contract-registry.ts';
import type { UnknownContractPolicy } from './decode-walk.ts';
import type { DecodeLimits } from './limits.ts';
import type { ReferenceHooks } from './reference-hooks.ts';

/** What the value form's writer and reader read of their `ValueForm` (value-form.ts). */
export interface ValueFormSettings<Context = unknown> {
  readonly limits: DecodeLimits;
  readonly registry: ContractRegistry;
  readonly hooks: ReferenceHooks<Context> | undefined;
  readonly isReference: ((value: object) => boolean) | undefined;
  readonly errorStacks: boolean;
  readonly unknownContracts: UnknownContractPolicy;
}
