import type { ContractDefinition, ShapePlan } from './contract-registry.ts';
import { DecodeError } from './decode-error.ts';
import { type EncodeWalk, ShapeDefinition } from './encode-walk.ts';
import { contractTag } from './wire-tags.ts';

// Why apart from the walks: only a program that registers contracts writes or builds instances of
// them. A definition enters a registry only through contract-definition.ts, which installs these
// into the walks (encode-walk.ts, decode-walk.ts) first; a page that registers none (it still reads
// a server's contracts, as UnknownContract) does not carry them.

const definitionShapes = new WeakMap<ContractDefinition, ShapeDefinition>();

function shapeOf(definition: ContractDefinition): ShapeDefinition {
  let shape = definitionShapes.get(definition);
  if (shape === undefined) {
    shape = new ShapeDefinition(definition.typeChain, definition.fields);
    definitionShapes.set(definition, shape);
  }
  return shape;
}

/**
 * Writes `value`, an instance of the registered contract `definition`: the contract tag, then
 * `[shape, ...fieldValues]` (the shape defined in-band at its first use in the frame).
 */
export function writeContractInstance(
  walk: EncodeWalk,
  value: object,
  definition: ContractDefinition,
  writeTag: (tag: number) => void,
  encode: (value: unknown) => void,
): void {
  writeTag(contractTag);
  const fields = definition.fields;
  const payload = new Array<unknown>(fields.length + 1);
  payload[0] = walk.shapeItem(definition, shapeOf);
  const record = value as Record<string, unknown>;
  for (let index = 0; index < fields.length; index++) payload[index + 1] = record[fields[index]!];
  encode(payload);
}

/**
 * An instance of the registered contract `plan.definition`, made by its `create()` and given the
 * fields it declares from `items` (`[shape, ...fieldValues]`, their count already checked).
 *
 * @throws DecodeError `contract-failed` when `create()` throws
 */
export function createContractInstance(
  definition: ContractDefinition,
  plan: ShapePlan,
  items: readonly unknown[],
): object {
  let instance: Record<string, unknown>;
  try {
    instance = definition.create() as Record<string, unknown>;
  } catch (error) {
    throw new DecodeError('contract-failed', `create() of contract '${definition.name}' threw`, {
      cause: error,
    });
  }
  // Only fields the reader's contract declares are assigned: the rest (a newer writer's additions,
  // a subtype's fields) are ignored, and no name can reach the prototype (registration forbids them).
  const assignments = plan.assignments;
  for (let index = 0; index < assignments.length; index++) {
    const field = assignments[index];
    if (field !== null && field !== undefined) instance[field] = items[index + 1];
  }
  return instance;
}
