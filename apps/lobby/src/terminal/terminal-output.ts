import type { Interface } from 'node:readline';
import { clearLine, cursorTo } from 'node:readline';
import { styleText } from 'node:util';

/** What a line of the terminal client says, for its colour. */
export type LineTone = 'error' | 'turn' | 'result' | 'notice' | 'chat';

/** The `util.styleText` formats of each tone. */
const toneStyles = {
  error: 'red',
  turn: ['bold', 'yellow'],
  result: ['bold', 'green'],
  notice: 'bold',
  chat: 'cyan',
} as const satisfies Record<LineTone, Parameters<typeof styleText>[0]>;

/** The part of a stream the output needs: a TTY write stream, or a pipe (no `isTTY`). */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
}

/**
 * Whether to colour `stream`: only a terminal, and only when `NO_COLOR` is not set to a non-empty
 * value (https://no-color.org). Pipes and files get plain text.
 */
export function wantsColour(stream: OutputStream, environment: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (environment['NO_COLOR'] ?? '') === '';
}

/**
 * Where the terminal client's lines go. Events arrive while the player is typing: on a terminal
 * with a prompt attached, each line clears the prompt's row, is written, and the prompt is drawn
 * again with the partly typed line and the cursor where they were (readline's `prompt(true)`), so
 * an event never lands in the middle of what the player types.
 */
export class TerminalOutput {
  readonly #stream: OutputStream;
  readonly #colour: boolean;
  #prompt: Interface | undefined;

  /**
   * @param stream where lines go (stdout)
   * @param colour whether to colour lines by tone; default {@link wantsColour}
   */
  constructor(stream: OutputStream, colour: boolean = wantsColour(stream)) {
    this.#stream = stream;
    this.#colour = colour;
  }

  /** From now on, lines are printed above `prompt`'s line, which is redrawn after each. */
  attach(prompt: Interface): void {
    this.#prompt = prompt;
  }

  /** Stops redrawing the prompt (it was closed). */
  detach(): void {
    this.#prompt = undefined;
  }

  /** Prints one line (already made printable), coloured by `tone` when colour is on. */
  print(line: string, tone?: LineTone): void {
    // `validateStream: false`: whether to colour was decided once, for this stream (newer nodes
    // would otherwise check process.stdout, and some check it for one format and not another).
    const text =
      this.#colour && tone !== undefined
        ? styleText(toneStyles[tone], line, { validateStream: false })
        : line;
    const prompt = this.#prompt;
    if (prompt === undefined || this.#stream.isTTY !== true) {
      this.#stream.write(`${text}\n`);
      return;
    }
    clearLine(this.#stream, 0);
    cursorTo(this.#stream, 0);
    this.#stream.write(`${text}\n`);
    prompt.prompt(true);
  }
}
