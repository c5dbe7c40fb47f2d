/**
 * The frames one side sent that the peer has not acknowledged, oldest first, with their size: what
 * a resume replays (docs/resumption.md#replay). Frames are kept as sent (data frames, header
 * included: the acknowledgement in the header is rewritten when replayed). Pushing is an array
 * append; acknowledging drops from the front without copying until half the array is dead.
 */
export class ReplayBuffer {
  #frames: Uint8Array[] = [];
  #head = 0;
  /** The sequence number of the oldest frame held (the frames before it were acknowledged). */
  firstSequence = 0;
  /** Bytes held. */
  bytes = 0;

  /** How many frames are held. */
  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** Holds the next frame of the sequence (counted by `length`: see the transport kit's `frameSize`). */
  push(frame: Uint8Array): void {
    this.#frames.push(frame);
    this.bytes += frame.length;
  }

  /** The peer has received the frames before `count`: drops them. */
  acknowledge(count: number): void {
    const frames = this.#frames;
    while (this.firstSequence < count && this.#head < frames.length) {
      this.bytes -= frames[this.#head]!.length;
      frames[this.#head] = undefined as never;
      this.#head++;
      this.firstSequence++;
    }
    if (this.#head === frames.length) {
      this.#frames = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > frames.length) {
      this.#frames = frames.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drops everything held; the next frame pushed has sequence number `next`. */
  clear(next: number): void {
    this.#frames = [];
    this.#head = 0;
    this.bytes = 0;
    this.firstSequence = next;
  }

  /** The frames held, oldest first. */
  *frames(): IterableIterator<Uint8Array> {
    for (let index = this.#head; index < this.#frames.length; index++) yield this.#frames[index]!;
  }
}
