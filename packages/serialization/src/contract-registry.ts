import { ContractError } from './contract-error.ts';

/** A class that can be registered as a contract: anything with a prototype (abstract classes too). */
export type ContractClass<T extends object = object> = abstract new (...args: any[]) => T;

/** How a class is registered as a data contract. */
export interface ContractOptions<T extends object> {
  /**
   * The stable wire name, e.g. `'game.Move'`. Never change it once peers exist: it is how a reader
   * recognises the type. Versioned subtypes get a new name (`'game.MoveV2'`) with this one as base.
   */
  readonly name: string;
  /**
   * The fields this class adds to its base contract, in wire order. Only these (and the base's) are
   * written; a reader assigns only the fields it knows. Inherited fields must not be repeated.
   */
  readonly fields: readonly (keyof T & string)[];
  /**
   * The known base contract. Default: the nearest registered class on the prototype chain, if any.
   * A reader that does not know this contract materialises its values as the base instead.
   */
  readonly base?: ContractClass | undefined;
  /**
   * Makes the blank instance a decoder fills with the fields it knows. Default:
   * `Object.create(Class.prototype)` (the constructor does not run, so a field the writer did not send
   * stays absent). Give one when the class needs defaults for fields an older writer does not know.
   */
  readonly create?: (() => T) | undefined;
}

/** A registered contract, as a registry knows it. */
export interface ContractDefinition<T extends object = object> {
  /** The stable wire name. */
  readonly name: string;
  /** The registered class. */
  readonly type: ContractClass<T>;
  /** The base contract, if any. */
  readonly base: ContractDefinition | undefined;
  /** This name then every base's name, most derived first: what travels on the wire. */
  readonly typeChain: readonly string[];
  /** Every field in wire order: the base's fields first, then this class's own. */
  readonly fields: readonly string[];
  /** Makes the blank instance a decoder fills. */
  readonly create: () => T;
}

/** Field names no contract may declare, so decoding can never touch an object's prototype. */
const forbiddenFieldNames: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The plans kept per registry; hostile peers can send any number of distinct shapes, so it is bounded. */
const maximumCachedPlans = 256;

/**
 * How a reader materialises one contract shape it received: which class (its nearest known contract
 * on the type chain, or none) and, for each wire field, the field name to assign or `null` to skip.
 * Internal: computed once per distinct shape and cached by the registry.
 */
export interface ShapePlan {
  readonly typeChain: readonly string[];
  readonly fieldNames: readonly string[];
  readonly definition: ContractDefinition | undefined;
  readonly assignments: readonly (string | null)[];
}

/**
 * A set of data contracts and error classes known by name. Registries are plain instances, so two
 * peers with different versions of a contract can live in one process (tests do exactly that); most
 * programs use {@link defaultRegistry}.
 *
 * @example
 * class Move { x = 0; y = 0; }
 * const registry = new ContractRegistry();
 * registry.register(Move, { name: 'game.Move', fields: ['x', 'y'] });
 */
export class ContractRegistry {
  readonly #byName = new Map<string, ContractDefinition>();
  readonly #byClass = new Map<Function, ContractDefinition>();
  readonly #errorsByName = new Map<string, ContractClass<Error>>();
  readonly #plans = new Map<string, ShapePlan>();

  /**
   * Registers `type` as a data contract.
   * @returns the definition
   * @throws ContractError `duplicate-name`, `duplicate-class`, `unknown-base`, `invalid-field` or `invalid-contract`
   */
  register<T extends object>(type: ContractClass<T>, options: ContractOptions<T>): ContractDefinition<T> {
    const { name } = options;
    if (typeof type !== 'function' || typeof type.prototype !== 'object' || type.prototype === null) {
      throw new ContractError(
        'invalid-contract',
        `expected a class to register as contract '${String(name)}'`,
      );
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new ContractError(
        'invalid-contract',
        `expected a non-empty contract name for ${type.name}, got ${String(name)}`,
      );
    }
    const existingName = this.#byName.get(name);
    if (existingName !== undefined) {
      throw new ContractError(
        'duplicate-name',
        `contract name '${name}' is taken by ${existingName.type.name}`,
      );
    }
    const existingClass = this.#byClass.get(type);
    if (existingClass !== undefined) {
      throw new ContractError(
        'duplicate-class',
        `${type.name} is registered already as '${existingClass.name}'`,
      );
    }
    const base = this.#baseOf(type, options.base, name);
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
    this.#byName.set(name, definition as ContractDefinition);
    this.#byClass.set(type, definition as ContractDefinition);
    this.#plans.clear();
    return definition;
  }

  /**
   * Registers an `Error` subclass under `name`, so a decoded error with that name is an instance of
   * it (`instanceof` works across the wire). Unregistered names decode as standard errors (`TypeError`,
   * `RangeError`, ...) when they are one, else as a plain `Error` whose `name` is the wire name.
   * @throws ContractError `duplicate-name` or `invalid-contract`
   */
  registerError(type: ContractClass<Error>, options: { readonly name: string }): void {
    const { name } = options;
    if (typeof type !== 'function' || !(type.prototype instanceof Error)) {
      throw new ContractError(
        'invalid-contract',
        `expected an Error subclass to register as '${String(name)}'`,
      );
    }
    if (typeof name !== 'string' || name.length === 0) {
      throw new ContractError('invalid-contract', `expected a non-empty error name for ${type.name}`);
    }
    if (this.#errorsByName.has(name)) {
      throw new ContractError('duplicate-name', `error name '${name}' is registered already`);
    }
    this.#errorsByName.set(name, type);
  }

  /** The contract registered under `name`, if any. */
  byName(name: string): ContractDefinition | undefined {
    return this.#byName.get(name);
  }

  /** The contract registered for exactly this class (not its subclasses), if any. */
  byClass(type: Function): ContractDefinition | undefined {
    return this.#byClass.get(type);
  }

  /** The error class registered under `name`, if any. */
  errorByName(name: string): ContractClass<Error> | undefined {
    return this.#errorsByName.get(name);
  }

  /**
   * How to materialise a shape received on the wire (internal to the codec). The plan is cached, so
   * a stream of values of one shape pays the lookup once.
   */
  planFor(typeChain: readonly string[], fieldNames: readonly string[]): ShapePlan {
    const key = `${typeChain.join('\u0000')}\u0001${fieldNames.join('\u0000')}`;
    const cached = this.#plans.get(key);
    if (cached !== undefined) return cached;
    let definition: ContractDefinition | undefined;
    for (const name of typeChain) {
      definition = this.#byName.get(name);
      if (definition !== undefined) break;
    }
    const known = definition === undefined ? undefined : new Set(definition.fields);
    const plan: ShapePlan = {
      typeChain,
      fieldNames,
      definition,
      assignments: fieldNames.map((field) => (known?.has(field) ? field : null)),
    };
    if (this.#plans.size >= maximumCachedPlans) this.#plans.clear();
    this.#plans.set(key, plan);
    return plan;
  }

  #baseOf(type: Function, base: ContractClass | undefined, name: string): ContractDefinition | undefined {
    if (base !== undefined) {
      const definition = this.#byClass.get(base);
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
      const definition = this.#byClass.get(ancestor);
      if (definition !== undefined) return definition;
    }
    return undefined;
  }
}

/** The registry {@link registerContract} and a codec use when none is given. */
export const defaultRegistry: ContractRegistry = new ContractRegistry();

/**
 * Registers `type` as a data contract under a stable name, in `options.registry` (default
 * {@link defaultRegistry}). A function rather than a decorator: it works in plain JavaScript and under
 * any build (no decorator transform, no legacy-versus-standard decorator question), and it can target
 * any registry, which a decorator fixed at class definition could not.
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
  return (options.registry ?? defaultRegistry).register(type, options);
}

/**
 * Registers an `Error` subclass by name in `options.registry` (default {@link defaultRegistry}); see
 * {@link ContractRegistry.registerError}.
 * @throws ContractError `duplicate-name` or `invalid-contract`
 */
export function registerError(
  type: ContractClass<Error>,
  options: { readonly name: string; readonly registry?: ContractRegistry | undefined },
): void {
  (options.registry ?? defaultRegistry).registerError(type, options);
}
