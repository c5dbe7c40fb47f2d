import { EventualError } from './errors.ts';

/**
 * The Standard Schema interface (standardschema.dev, version 1), declared here so that any
 * validator that implements it (zod, valibot, arktype, ...) can check a capability's arguments
 * without this package depending on one.
 */
export interface StandardSchema<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** A Standard Schema validation result. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/** One problem a Standard Schema validator found. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/**
 * Argument validators of a capability, by method name: each schema checks the method's whole
 * argument list (a tuple), and its output is what the method receives (so schemas may coerce).
 * Methods without a schema are not checked.
 */
export type ArgumentValidators<I> = { readonly [K in keyof I]?: StandardSchema | undefined };

/** A call's arguments failed the method's schema; the target did not run. */
export class ArgumentError extends EventualError {
  override name = 'ArgumentError';
  /** What the validator reported, as `path: message` lines. */
  readonly issues: readonly string[];
  constructor(method: string, issues: readonly StandardIssue[]) {
    const lines = issues.map((issue) => `${formatPath(issue.path)}${issue.message}`);
    super('invalid-arguments', `invalid arguments for '${method}': ${lines.join('; ')}`);
    this.issues = lines;
  }
}

function formatPath(path: StandardIssue['path']): string {
  if (path === undefined || path.length === 0) return '';
  const keys = path.map((segment) =>
    typeof segment === 'object' && segment !== null ? String(segment.key) : String(segment),
  );
  return `${keys.join('.')}: `;
}

/**
 * Checks `args` against `schema`: the validated (possibly transformed) arguments, or an
 * `ArgumentError`; a promise of either when the validator is asynchronous. A validator that throws
 * or yields something that is not an array is reported as an `ArgumentError` too: bad input never
 * crashes anything.
 */
export function validateArguments(
  method: string,
  schema: StandardSchema,
  args: unknown[],
): unknown[] | ArgumentError | Promise<unknown[] | ArgumentError> {
  let result: StandardResult<unknown> | Promise<StandardResult<unknown>>;
  try {
    result = schema['~standard'].validate(args);
  } catch (error) {
    return validatorFailed(method, error);
  }
  if (result instanceof Promise) {
    return result.then(
      (settled) => check(method, settled),
      (error: unknown) => validatorFailed(method, error),
    );
  }
  return check(method, result);
}

function check(method: string, result: StandardResult<unknown>): unknown[] | ArgumentError {
  if (result.issues !== undefined) return new ArgumentError(method, result.issues);
  if (!Array.isArray(result.value)) {
    return new ArgumentError(method, [{ message: 'the schema must describe the argument list (a tuple)' }]);
  }
  return result.value;
}

function validatorFailed(method: string, error: unknown): ArgumentError {
  return new ArgumentError(method, [{ message: `the validator failed: ${String(error)}` }]);
}
