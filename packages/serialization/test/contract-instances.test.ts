import { describe, expect, test, vi } from 'vitest';
import { Codec, ContractRegistry, registerContract, UnknownContract } from '../src/index.ts';

// Writing and building instances of registered contracts (contract-instances.ts) is installed into
// the walks by the first definition (contract-definition.ts): a program that registers none (a page
// that only reads its server's values) does not carry it, reads contracts as UnknownContract and
// sends those back as they came; the first registration, by either way, installs it.

class Point {
  x = 0;
  y = 0;
}

/** A frame holding a `geo.Point`, written by a program that registered it (this file's module graph). */
function pointFrame(): Uint8Array {
  const registry = new ContractRegistry();
  registerContract(Point, { name: 'geo.Point', fields: ['x', 'y'], registry });
  return new Codec({ registry }).encode([Object.assign(new Point(), { x: 3, y: 4 })]);
}

describe('instances of registered contracts', () => {
  test('a program that registered nothing reads a contract as UnknownContract and writes it back as it came', async () => {
    const frame = pointFrame();
    vi.resetModules(); // a program that has registered no contract
    const fresh = await import('../src/browser.ts');
    const codec = new fresh.Codec({ registry: new fresh.ContractRegistry() });
    const [unknown] = codec.decode(frame) as [InstanceType<typeof fresh.UnknownContract>];
    expect(unknown).toBeInstanceOf(fresh.UnknownContract);
    expect(unknown.typeChain).toEqual(['geo.Point']);
    expect({ ...unknown.fields }).toEqual({ x: 3, y: 4 });
    // Sent back, a program that knows the contract reads it as its class again.
    const registry = new ContractRegistry();
    registerContract(Point, { name: 'geo.Point', fields: ['x', 'y'], registry });
    const [point] = new Codec({ registry }).decode(codec.encode([unknown])) as [Point];
    expect(point).toBeInstanceOf(Point);
    expect(point).toEqual(Object.assign(new Point(), { x: 3, y: 4 }));
  });

  test("a program's first registration lets its codec write and build the contract's instances", async () => {
    vi.resetModules(); // a program that has registered no contract yet
    const fresh = await import('../src/browser.ts');
    const registry = new fresh.ContractRegistry();
    fresh.registerContract(Point, { name: 'geo.Point', fields: ['x', 'y'], registry });
    const codec = new fresh.Codec({ registry });
    const [point] = codec.decode(codec.encode([Object.assign(new Point(), { x: 1, y: 2 })])) as [Point];
    expect(point).toBeInstanceOf(Point);
    expect(point).toEqual(Object.assign(new Point(), { x: 1, y: 2 }));
    // This module graph's registry, for comparison, is another program's: its reader knows nothing of it.
    expect(new Codec({ registry: new ContractRegistry() }).decode(codec.encode([point]))).toEqual([
      expect.any(UnknownContract),
    ]);
  });
});
