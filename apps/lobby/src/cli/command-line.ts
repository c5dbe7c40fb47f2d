/*
 * The command lines of `bin/`: node's own `util.parseArgs` (strict, no positionals), wrapped so that
 * a mistake reads as one line naming the flag, never as a stack trace.
 *
 * We use `util.parseArgs` rather than a CLI library: the two commands have a handful of flags each,
 * and node's parser already does strict checking, `--flag=value` and short aliases.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** The flags of a command, as `util.parseArgs` takes them. */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A command line that does not fit the command's usage: the message names the flag and what it expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/** The options every command understands besides its own. */
const helpOption = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsOptionsConfig;

/** The parsed values of a command line with `options` (and `--help`). */
export type CommandLineValues<Options extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{
    options: Options & typeof helpOption;
    strict: true;
    allowPositionals: false;
  }>
>['values'];

/**
 * Parses `args` (the words after the script's name) strictly against `options`, plus `--help` / `-h`.
 * A leading `--` is skipped: `pnpm run <script> -- --flag` passes it through literally.
 *
 * @throws UsageError for an unknown flag, a missing value, a value given to a boolean flag, or a positional argument
 */
export function parseCommandLine<const Options extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: Options,
): CommandLineValues<Options> {
  const words = args[0] === '--' ? args.slice(1) : [...args];
  try {
    return parseArgs({
      args: words,
      options: { ...options, ...helpOption },
      strict: true,
      allowPositionals: false,
    }).values as CommandLineValues<Options>;
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/**
 * Runs `parseCommandLine` for a script: prints `usage` and exits 0 on `--help`; prints one line
 * naming the mistake, then `usage`, on stderr and exits 2 on a bad command line.
 *
 * @param command the command's name, to prefix the error line (`msc-lobby-server: unknown option '--nme'`)
 */
export function parseCommandLineOrExit<const Options extends ParseArgsOptionsConfig>(
  command: string,
  usage: string,
  args: readonly string[],
  options: Options,
): CommandLineValues<Options> {
  let values: CommandLineValues<Options>;
  try {
    values = parseCommandLine(args, options);
  } catch (error) {
    exitWithUsageError(command, usage, error);
  }
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exit(0);
  }
  return values;
}

/** Prints `error` as one line prefixed by `command`, then the usage, on stderr, and exits 2. */
export function exitWithUsageError(command: string, usage: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${command}: ${message}\n\n${usage.trimEnd()}\n`);
  process.exit(2);
}

/**
 * One line from one of `parseArgs`' errors, naming the flag ("unknown option '--nme'"). Node's own
 * messages run on with advice about `--` that does not apply to these commands.
 */
function describeParseError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const quoted = /'([^']*)'/.exec(text)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? text}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? text}' (every value follows its flag, as in --name ada)`;
    default:
      // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: "Option '--name <value>' argument missing" and the like.
      return (text.split('\n')[0] ?? text).replace(/^Option/, 'option');
  }
}

/** Prints `error` as one line prefixed by `command` on stderr (no stack) and exits 1. */
export function exitWithError(command: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${command}: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
