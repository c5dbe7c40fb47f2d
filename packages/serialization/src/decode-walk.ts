import type { ContractDefinition, ContractRegistry, ShapePlan } from './contract-registry.ts';
import { DecodeError } from './decode-error.ts';
import type { ReferenceHooks } from './reference-hooks.ts';
import { UnknownContract } from './unknown-contract.ts';

// What the codec's contracts and references decode to. The CBOR reader (`cbor-decoder.ts`) reads
// every payload and hands contract shapes, contracts and descriptor lists to the walk of the decode in
// progress; a decode may run inside another (a hook decodes something), each with its own walk.

/** Builds an instance of a registered contract (contract-instances.ts), installed with the first definition. */
type ContractBuilder = (definition: ContractDefinition, plan: ShapePlan, items: readonly unknown[]) => object;

let createContract: ContractBuilder | undefined;

/** @internal Installs the building of registered contracts' instances (contract-definition.ts, before any definition exists). */
export function installContractBuilder(create: ContractBuilder): void {
  createContract = create;
}

/** What a decoder does with a contract none of whose type chain it knows. */
export type UnknownContractPolicy = 'placeholder' | 'error';

/** The state of one decode: the shapes defined so far in the frame, and the live references. */
export class DecodeWalk {
  readonly registry: ContractRegistry;
  readonly hooks: ReferenceHooks<any> | undefined;
  readonly unknownContracts: UnknownContractPolicy;
  context: unknown;
  shapes: ShapePlan[] = [];
  references: unknown[] | undefined;

  constructor(
    registry: ContractRegistry,
    hooks: ReferenceHooks<any> | undefined,
    unknownContracts: UnknownContractPolicy,
  ) {
    this.registry = registry;
    this.hooks = hooks;
    this.unknownContracts = unknownContracts;
  }

  /** Forgets everything about the last frame. */
  reset(): void {
    if (this.shapes.length > 0) this.shapes = [];
    this.references = undefined;
    this.context = undefined;
  }

  defineShape(payload: unknown): ShapePlan {
    const [typeChain, fieldNames] = payload as [unknown, unknown];
    if (!isStringList(typeChain) || typeChain.length === 0 || !isStringList(fieldNames)) {
      throw new DecodeError(
        'malformed',
        'expected a contract shape of a type chain and field names (lists of strings)',
      );
    }
    const plan = this.registry.planFor(typeChain, fieldNames);
    if (plan.definition === undefined && this.unknownContracts === 'error') {
      throw new DecodeError(
        'unknown-contract',
        // The names are the peer's and may be megabytes long: the message quotes their first 80 characters.
        `expected a known contract, got '${typeChain.join("' < '").slice(0, 80)}' with none registered`,
      );
    }
    this.shapes.push(plan);
    return plan;
  }

  materializeContract(payload: unknown): object {
    const items = payload as unknown[];
    const head = items[0];
    const plan = typeof head === 'number' ? this.shapes[head] : (head as ShapePlan);
    if (plan === undefined)
      throw new DecodeError(
        'malformed',
        `expected a contract shape defined earlier in the frame, got shape ${String(head)}`,
      );
    const count = plan.fieldNames.length;
    if (items.length !== count + 1) {
      throw new DecodeError(
        'malformed',
        `expected ${count} field values for '${plan.typeChain[0]}', got ${items.length - 1}`,
      );
    }
    const definition = plan.definition;
    if (definition === undefined) {
      const fields: Record<string, unknown> = Object.create(null);
      for (let index = 0; index < count; index++) fields[plan.fieldNames[index]!] = items[index + 1];
      return new UnknownContract(plan.typeChain, fields);
    }
    // A known contract: a definition exists, so the builder was installed with it.
    return createContract!(definition, plan, items);
  }

  takeDescriptors(payload: unknown): null {
    const hooks = this.hooks;
    if (hooks === undefined) {
      throw new DecodeError(
        'reference-failed',
        'expected plain data, got by-reference values and this codec has no reference hooks',
      );
    }
    if (this.references !== undefined)
      throw new DecodeError('malformed', 'expected one descriptor list per frame');
    const descriptors = payload as unknown[];
    const references = new Array<unknown>(descriptors.length);
    for (let index = 0; index < descriptors.length; index++) {
      try {
        references[index] = hooks.decodeReference(descriptors[index], this.context);
      } catch (error) {
        throw new DecodeError('reference-failed', `decodeReference threw for descriptor ${index}`, {
          cause: error,
        });
      }
    }
    this.references = references;
    // The body was encoded in a walk of its own: its shape ids start again at 0.
    this.shapes = [];
    return null;
  }

  reference(index: unknown): unknown {
    const references = this.references;
    if (references === undefined) {
      throw new DecodeError(
        this.hooks === undefined ? 'reference-failed' : 'malformed',
        'expected a by-reference value only in a frame with descriptors',
      );
    }
    if (typeof index !== 'number' || index >= references.length) {
      throw new DecodeError(
        'malformed',
        `expected a reference index below ${references.length}, got ${String(index)}`,
      );
    }
    return references[index];
  }
}

function isStringList(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const item of value) if (typeof item !== 'string') return false;
  return true;
}
