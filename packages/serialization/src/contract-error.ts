/** Why a contract registration was refused; stable strings, safe to switch on. */
export type ContractErrorCode =
  /** Another class is registered under this name in the same registry. */
  | 'duplicate-name'
  /** This class is registered already (under any name) in the same registry. */
  | 'duplicate-class'
  /** The `base` class is not registered in the same registry. */
  | 'unknown-base'
  /** A field name is empty, repeated, inherited from the base, or one of `__proto__`, `constructor`, `prototype`. */
  | 'invalid-field'
  /** The name is empty or not a string, or the class is not a constructor. */
  | 'invalid-contract';

/** Thrown by `ContractRegistry.register`, `registerContract` and `registerError` when a registration is refused. */
export class ContractError extends Error {
  /** Why the registration was refused. */
  readonly code: ContractErrorCode;

  /**
   * @param code why the registration was refused
   * @param message what was expected and what came
   */
  constructor(code: ContractErrorCode, message: string) {
    super(message);
    this.code = code;
  }

  static {
    ContractError.prototype.name = 'ContractError';
  }
}
