import { type Proxy, proxy } from '@msc/eventual';

/** The calculator of the guide's examples (docs/concepts.md). */
export interface ICalc {
  get(): Promise<number>;
  add(n: number): Promise<number>;
  addFrom(other: Proxy<ICalc>): Promise<number>;
  clone(): Proxy<ICalc>;
  cloneLater(delayMs: number): Promise<Proxy<ICalc>>;
  echo(calc: Proxy<ICalc>): Proxy<ICalc>;
  isOriginal(calc: Proxy<ICalc>): Promise<boolean>;
  fail(message: string): Promise<Proxy<ICalc>>;
}

export class Calc implements ICalc {
  total: number;
  readonly log: number[];
  disposed = 0;
  self: Proxy<ICalc> | undefined;
  constructor(total = 0, log: number[] = []) {
    this.total = total;
    this.log = log;
  }
  async get() {
    return this.total;
  }
  async add(n: number) {
    this.log.push(n);
    return (this.total += n);
  }
  async addFrom(other: Proxy<ICalc>) {
    return (this.total += await other.get());
  }
  clone() {
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  async cloneLater(delayMs: number) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return proxy<ICalc>(new Calc(this.total, this.log));
  }
  echo(calc: Proxy<ICalc>) {
    return calc;
  }
  async isOriginal(calc: Proxy<ICalc>) {
    // The capability came home: calling it reaches this very object, with no session in between.
    const marker = Math.random();
    const before = this.total;
    this.total = marker;
    const seen = await calc.get();
    this.total = before;
    return seen === marker;
  }
  async fail(message: string): Promise<Proxy<ICalc>> {
    throw new RangeError(message);
  }
  [Symbol.dispose]() {
    this.disposed++;
  }
}
