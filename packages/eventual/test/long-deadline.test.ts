import { afterEach, describe, expect, test, vi } from 'vitest';
import { CallScope } from '../src/handler.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('a deadline further off than the longest timer (2^31 - 1 ms)', () => {
  test('fires at the deadline, not at the timer cap', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const cap = 0x7fffffff;
    const context = new CallScope(true, performance.now() + cap + 5_000);
    vi.advanceTimersByTime(cap);
    expect(context.aborted).toBe(false);
    expect(context.remainingMs()).toBeCloseTo(5_000, -1);
    vi.advanceTimersByTime(4_990);
    expect(context.aborted).toBe(false);
    vi.advanceTimersByTime(20);
    expect(context.aborted).toBe(true);
    expect((context.reason as Error).name).toBe('TimeoutError');
  });

  test('two caps and more re-arm each time; ending the context stops the re-armed timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const cap = 0x7fffffff;
    const context = new CallScope(true, performance.now() + 2 * cap + 1_000);
    vi.advanceTimersByTime(2 * cap);
    expect(context.aborted).toBe(false);
    context.end();
    vi.advanceTimersByTime(10_000);
    expect(context.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
