/**
 * @msc/serialization's API, and its `browser` entry: everything `@msc/serialization` exports, without
 * `ContractRegistry.register()` enabled (contract-definition.ts), so a page that registers no contract
 * through a registry's method does not carry the registration checks. `registerContract()` works on
 * both entries; a page that calls `registry.register()` calls {@link enableContracts} once before. The
 * Node (default) entry, `index.ts`, is this list with it enabled when it loads.
 *
 * @packageDocumentation
 */

export { ByteParts } from './byte-parts.ts';
export { Codec, type CodecOptions } from './codec.ts';
export { enableContracts, registerContract } from './contract-definition.ts';
export { ContractError, type ContractErrorCode } from './contract-error.ts';
export {
  type ContractClass,
  type ContractDefinition,
  type ContractOptions,
  ContractRegistry,
  defaultRegistry,
  registerError,
} from './contract-registry.ts';
export { DecodeBudget, type DecodeBudgetLimits, handshakeDecodeBudget } from './decode-budget.ts';
export { DecodeError, type DecodeErrorCode, decodeLimitCodes } from './decode-error.ts';
export type { UnknownContractPolicy } from './decode-walk.ts';
export { EncodeError, type EncodeErrorCode } from './encode-error.ts';
export { encodeParts } from './encode-parts.ts';
export {
  type DecodeLimitOverrides,
  type DecodeLimits,
  decodeWorkAllowance,
  decodeWorkCosts,
  defaultLimits,
  handshakeDecodeLimits,
} from './limits.ts';
export { hasReferenceMarker, type ReferenceHooks, referenceMarker } from './reference-hooks.ts';
export { UnknownContract } from './unknown-contract.ts';
export { ValueForm, type ValueFormOptions } from './value-form.ts';
export type { ValueFormRead } from './value-form-reader.ts';
export type { ValueFormWrite } from './value-form-writer.ts';
