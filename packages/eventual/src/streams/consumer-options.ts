/**
 * The consumer's flow-control settings for a sequence or byte stream (docs/semantics.md#streaming).
 * The consumer owns them: it may set them when it makes the stream, at any time on its end, or on a
 * call result before the stream it will be has arrived.
 */
export interface ConsumerOptions {
  /** Window size: items for a sequence, bytes for a byte stream. */
  capacity?: number | undefined;
  /** Largest batch the producer may send at once (items or bytes). */
  batchSize?: number | undefined;
}

/** A stream kind's default settings: every setting, none left to another default. */
export interface ConsumerDefaults {
  readonly capacity: number;
  readonly batchSize: number;
}
