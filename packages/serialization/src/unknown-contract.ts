/**
 * A decoded contract value none of whose type chain is registered with the reader: the placeholder
 * a codec returns (with `unknownContracts: 'placeholder'`, the default) instead of failing. It keeps
 * everything the writer sent, and encoding it again writes the same type chain and fields, so a peer
 * that does not know a contract can still pass it on unchanged.
 *
 * @example
 * const value = codec.decode(bytes);
 * if (value instanceof UnknownContract) console.warn(`skipping ${value.typeChain[0]}`);
 */
export class UnknownContract {
  /** The writer's type chain, most derived first (e.g. `['game.MoveV2', 'game.Move']`). */
  readonly typeChain: readonly string[];
  /** The writer's fields by name, decoded; a null-prototype object, so any name is safe. */
  readonly fields: Readonly<Record<string, unknown>>;

  /**
   * @param typeChain the type chain, most derived first; at least one name
   * @param fields the field values by name (copied into a null-prototype object)
   */
  constructor(typeChain: readonly string[], fields: Readonly<Record<string, unknown>>) {
    if (typeChain.length === 0)
      throw new TypeError('UnknownContract needs a type chain of at least one name');
    this.typeChain = Object.freeze([...typeChain]);
    const copy: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(fields)) copy[key] = fields[key];
    this.fields = copy;
  }

  /** The most derived type name. */
  get typeName(): string {
    return this.typeChain[0]!;
  }
}
