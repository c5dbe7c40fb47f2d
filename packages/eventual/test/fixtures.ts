import { type Proxy, proxy, type Sequence, sequence } from '../src/index.ts';

/** The calculator of the guide's examples (docs/concepts.md), used across the scenarios. */
export interface ICalc {
  get(): Promise<number>;
  add(n: number): Promise<number>;
  addFrom(other: Proxy<ICalc>): Promise<number>;
  clone(): Proxy<ICalc>;
  cloneLater(): Promise<Proxy<ICalc>>;
  history(): Sequence<number>;
}

export class Calc implements ICalc {
  total: number;
  readonly log: string[];
  disposed = 0;
  constructor(total = 0, log: string[] = []) {
    this.total = total;
    this.log = log;
  }
  async get(): Promise<number> {
    return this.total;
  }
  async add(n: number): Promise<number> {
    this.log.push(`add ${n}`);
    this.total += n;
    return this.total;
  }
  async addFrom(other: Proxy<ICalc>): Promise<number> {
    this.total += await other.get();
    return this.total;
  }
  clone(): Proxy<ICalc> {
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  async cloneLater(): Promise<Proxy<ICalc>> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  history(): Sequence<number> {
    const [items, writer] = sequence<number>();
    writer.write(this.total);
    writer.write(this.total + 1);
    void writer.close();
    return items;
  }
  [Symbol.dispose](): void {
    this.disposed++;
  }
}

/** Lets every queued microtask and timer of the current moment run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
