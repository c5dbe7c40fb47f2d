import { ContractError } from './contract-error.ts';
import { createContractInstance, writeContractInstance } from './contract-instances.ts';
import {
  addContractDefinition,
  type ContractClass,
  type ContractDefinition,
  type ContractOptions,
  type ContractRegistry,
  defaultRegistry,
  installContractDefiner,
} from './contract-registry.ts';
import { installContractBuilder } from './decode-walk.ts';
import { installContractWriter } from './encode-walk.ts';

// Why apart from the registry: decoding and encoding need only its lookups; the checks and the building of a
// definition below, and the writing and building of instances (contract-instances.ts, installed here), are what a
// program that registers contracts pays for, and a page that only reads a server's values leaves them out.

/** Field names no contract may declare, so decoding can never touch an object's prototype. */
const forbiddenFieldNames: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks `options` and adds `type` to `registry` as a data contract (see {@link ContractRegistry.register}).
 *
 * @throws ContractError `duplicate-name`, `duplicate-class`, `unknown-base`, `invalid-field` or `invalid-contract`
 */
function defineContract<T extends object>(
  registry: ContractRegistry,
  type: ContractClass<T>,
  options: ContractOptions<T>,
): ContractDefinition<T> {
  const { name } = options;
  if (typeof type !== 'function' || typeof type.prototype !== 'object' || type.prototype === null) {
    throw new ContractError('invalid-contract', `expected a class to register as contract '${String(name)}'`);
  }
  if (typeof name !== 'string' || name.length === 0) {
    throw new ContractError(
      'invalid-contract',
      `expected a non-empty contract name for ${type.name}, got ${String(name)}`,
    );
  }
  const existingName = registry.byName(name);
  if (existingName !== undefined) {
    throw new ContractError(
      'duplicate-name',
      `contract name '${name}' is taken by ${existingName.type.name}`,
    );
  }
  const existingClass = registry.byClass(type);
  if (existingClass !== undefined) {
    throw new ContractError(
      'duplicate-class',
      `${type.name} is registered already as '${existingClass.name}'`,
    );
  }
  const base = baseOf(registry, type, options.base, name);
  const fields = [...(base?.fields ?? [])];
  for (const field of options.fields) {
    if (typeof field !== 'string' || field.length === 0 || forbiddenFieldNames.has(field)) {
      throw new ContractError(
        'invalid-field',
        `contract '${name}' cannot declare a field named '${String(field)}'`,
      );
    }
    if (fields.includes(field)) {
      throw new ContractError(
        'invalid-field',
        `contract '${name}' declares field '${field}' twice (or its base has it)`,
      );
    }
    fields.push(field);
  }
  const prototype = type.prototype as T;
  const definition: ContractDefinition<T> = Object.freeze({
    name,
    type,
    base,
    typeChain: Object.freeze([name, ...(base?.typeChain ?? [])]),
    fields: Object.freeze(fields),
    create: options.create ?? (() => Object.create(prototype) as T),
  });
  // The walks write and build instances of registered contracts from the first definition on.
  installContractWriter(writeContractInstance);
  installContractBuilder(createContractInstance);
  addContractDefinition(registry, definition as ContractDefinition);
  return definition;
}

function baseOf(
  registry: ContractRegistry,
  type: Function,
  base: ContractClass | undefined,
  name: string,
): ContractDefinition | undefined {
  if (base !== undefined) {
    const definition = registry.byClass(base);
    if (definition === undefined) {
      throw new ContractError(
        'unknown-base',
        `base ${base.name} of contract '${name}' is not registered in this registry`,
      );
    }
    return definition;
  }
  // No explicit base: the nearest registered ancestor class, so `class B extends A` just works.
  for (
    let ancestor = Object.getPrototypeOf(type);
    typeof ancestor === 'function';
    ancestor = Object.getPrototypeOf(ancestor)
  ) {
    const definition = registry.byClass(ancestor);
    if (definition !== undefined) return definition;
  }
  return undefined;
}

/**
 * Enables {@link ContractRegistry.register} for every registry. `@msc/serialization`'s Node (default) entry calls it
 * when it loads; its `browser` entry leaves the registration checks out to keep pages small, so a page that calls
 * `registry.register()` calls this once before. {@link registerContract} needs no call. Calling it again does
 * nothing more.
 *
 * @example
 * ```ts
 * import { ContractRegistry, enableContracts } from '@msc/serialization';
 *
 * enableContracts(); // before the page's first registry.register()
 * class Move { x = 0; y = 0; }
 * new ContractRegistry().register(Move, { name: 'game.Move', fields: ['x', 'y'] });
 * ```
 */
export function enableContracts(): void {
  installContractDefiner(defineContract);
}

/**
 * Registers `type` as a data contract under a stable name, in `options.registry` (default
 * {@link defaultRegistry}). A function rather than a decorator: it works in plain JavaScript and under
 * any build (no decorator transform, no legacy-versus-standard decorator question), and it can target
 * any registry, which a decorator fixed at class definition could not. It works on both entries of
 * `@msc/serialization`, without `enableContracts()`.
 *
 * @example
 * class Move { constructor(public x = 0, public y = 0) {} }
 * registerContract(Move, { name: 'game.Move', fields: ['x', 'y'] });
 * class MoveV2 extends Move { speed = 1; }
 * registerContract(MoveV2, { name: 'game.MoveV2', fields: ['speed'] }); // base inferred: game.Move
 *
 * @returns the definition
 * @throws ContractError when the registration is refused (see {@link ContractRegistry.register})
 */
export function registerContract<T extends object>(
  type: ContractClass<T>,
  options: ContractOptions<T> & { readonly registry?: ContractRegistry | undefined },
): ContractDefinition<T> {
  return defineContract(options.registry ?? defaultRegistry, type, options);
}
