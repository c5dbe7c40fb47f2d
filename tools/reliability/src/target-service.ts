import { type Bytes, bytes, type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';

/** A capability the target holds and never exports: nothing a peer sends may ever reach it. */
export interface ISecret {
  reveal(): Promise<string>;
  destroy(): Promise<void>;
}

/** Counts every invocation of its methods (the property is that the count stays 0). */
export class Secret implements ISecret {
  /** Method invocations so far. */
  invocations = 0;
  async reveal(): Promise<string> {
    this.invocations++;
    return 'the launch codes';
  }
  async destroy(): Promise<void> {
    this.invocations++;
  }
}

/** The root a hostile peer is given. */
export interface ITarget {
  add(n: number): Promise<number>;
  echo(value: unknown): Promise<unknown>;
  clone(): Proxy<ITarget>;
  callBack(other: Proxy<ITarget>): Promise<number>;
  count(to: number): Sequence<number>;
  sum(items: Sequence<number>): Promise<number>;
  download(size: number): Bytes;
  big(size: number): Promise<Uint8Array>;
  hang(): Promise<void>;
}

/**
 * The service behind the hostile session's root. It keeps the secret in a private field and never
 * returns it: a peer could only reach it by forging a reference.
 */
export class TargetService implements ITarget {
  total = 0;
  readonly #secret: Proxy<ISecret>;
  /** @param secret the capability the service holds and never shares */
  constructor(secret: Proxy<ISecret>) {
    this.#secret = secret;
  }
  /** Whether the service still holds its secret (it never gives it away). */
  holdsSecret(): boolean {
    return this.#secret !== undefined;
  }
  async add(n: number): Promise<number> {
    if (typeof n !== 'number') throw new TypeError(`expected a number, got ${typeof n}`);
    return (this.total += n);
  }
  async echo(value: unknown): Promise<unknown> {
    return value;
  }
  clone(): Proxy<ITarget> {
    return proxy<ITarget>(new TargetService(this.#secret));
  }
  async callBack(other: Proxy<ITarget>): Promise<number> {
    try {
      return await other.add(1);
    } finally {
      other[Symbol.dispose]?.();
    }
  }
  count(to: number): Sequence<number> {
    const [items, writer] = sequence<number>({ capacity: 8 });
    void (async () => {
      for (let index = 0; index < Math.min(Number(to) || 0, 10_000); index++) {
        writer.write(index);
        if (writer.desiredSize <= 0) await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return items;
  }
  async sum(items: Sequence<number>): Promise<number> {
    let total = 0;
    for await (const item of items) total += Number(item);
    return total;
  }
  download(size: number): Bytes {
    const [data, writer] = bytes();
    void (async () => {
      const chunk = new Uint8Array(16 * 1024).fill(1);
      const total = Math.min(Number(size) || 0, 64 * 1024 * 1024);
      for (let sent = 0; sent < total; sent += chunk.byteLength) {
        writer.write(chunk.subarray(0, Math.min(chunk.byteLength, total - sent)));
        await writer.flush();
      }
      await writer.close();
    })().catch(() => {});
    return data;
  }
  async big(size: number): Promise<Uint8Array> {
    return new Uint8Array(Math.min(Number(size) || 0, 1024 * 1024)).fill(2);
  }
  hang(): Promise<void> {
    return new Promise(() => {});
  }
}
