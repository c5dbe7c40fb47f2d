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

/** The plans kept per registry; hostile peers can send any number of distinct shapes, so it is bounded. */
const maximumCachedPlans = 256;
/**
 * The longest shape (its names joined) whose plan is kept: the cache outlives every session, and a
 * peer's names may each be megabytes long (within `maxStringBytes`). Real shapes are far shorter;
 * a longer one is planned afresh each time.
 */
const maximumCachedShapeCharacters = 1024;

/** Checks and builds a definition (contract-definition.ts), once enabled: see {@link ContractRegistry.register}. */
type ContractDefiner = <T extends object>(
  registry: ContractRegistry,
  type: ContractClass<T>,
  options: ContractOptions<T>,
) => ContractDefinition<T>;

let definer: ContractDefiner | undefined;

/** @internal Installs the contract definition of {@link ContractRegistry.register} (`enableContracts()`). */
export function installContractDefiner(define: ContractDefiner | undefined): void {
  definer = define;
}

/** Set by the registry's static block: adds a checked definition to a registry's maps. */
let addDefinition!: (registry: ContractRegistry, definition: ContractDefinition) => void;

/** @internal Adds a definition contract-definition.ts checked and built to `registry`. */
export function addContractDefinition(registry: ContractRegistry, definition: ContractDefinition): void {
  addDefinition(registry, definition);
}

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
   * Registers `type` as a data contract. The Node entry of `@msc/serialization` enables this method when it loads;
   * its `browser` entry leaves the registration checks out to keep pages small, so a page that calls it (rather
   * than `registerContract()`, which always works) calls `enableContracts()` once before.
   * @returns the definition
   * @throws ContractError `duplicate-name`, `duplicate-class`, `unknown-base`, `invalid-field` or `invalid-contract`;
   *   TypeError naming `enableContracts()` when the program has not enabled it
   */
  register<T extends object>(type: ContractClass<T>, options: ContractOptions<T>): ContractDefinition<T> {
    if (definer === undefined) {
      throw new TypeError(
        "contract registration not enabled in this program: call enableContracts() from '@msc/serialization' once, before registering (the browser entry leaves it out; registerContract() needs no call)",
      );
    }
    return definer(this, type, options);
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
    if (key.length > maximumCachedShapeCharacters) return plan;
    if (this.#plans.size >= maximumCachedPlans) this.#plans.clear();
    this.#plans.set(key, plan);
    return plan;
  }

  static {
    // The one way in for contract-definition.ts, which checks and builds a definition: it adds it here.
    addDefinition = (registry, definition) => {
      registry.#byName.set(definition.name, definition);
      registry.#byClass.set(definition.type, definition);
      registry.#plans.clear();
    };
  }
}

/** The registry `registerContract` and a codec use when none is given. */
export const defaultRegistry: ContractRegistry = new ContractRegistry();

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
