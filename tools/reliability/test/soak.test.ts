import { expect, test } from 'vitest';
import { linearSlope } from '../src/linear-slope.ts';
import { lobbySoak } from '../src/soak/lobby-soak.ts';

test("the least-squares slope of noisy samples around a line is the line's rise per unit", () => {
  const line = [0, 1, 2, 3, 4].map((x) => ({ x, y: 1_000 + 250 * x + (x % 2 === 0 ? 10 : -10) }));
  expect(linearSlope(line)).toBeCloseTo(250, 6);
  expect(linearSlope([{ x: 1, y: 5 }])).toBeNaN();
  expect(linearSlope([1, 1, 1].map((x) => ({ x, y: x })))).toBeNaN();
});

// Fast mode of the soak (the report runs SOAK_MINUTES=10 with 4 tables): a quarter of a minute, 2 tables.
test('a short soak churns one lobby server: players come and go, games launch, crash, are terminated and end, and the server ends idle', async () => {
  const figures = await lobbySoak({ minutes: 0.25, tables: 2, sampleMilliseconds: 1_000, seed: 7 });

  expect(figures.failures).toEqual({});
  expect(figures.rounds).toBeGreaterThan(4);
  // Every round's 4 sessions reached the server and left it; every launch started a game SIP.
  expect(figures.server.connected).toBe(figures.rounds * 4);
  expect(figures.server.disconnected).toBe(figures.server.connected);
  expect(figures.server.created).toBe(figures.rounds);
  expect(figures.server.launched).toBe(figures.launches);
  expect(figures.server.notStarted).toBe(0);
  expect(figures.server.finished + figures.server.failed).toBe(figures.server.launched);
  // The injected faults happened, and each game's end reached its players.
  expect(figures.crashesInjected + figures.terminationsInjected + figures.abruptDisconnects).toBeGreaterThan(
    0,
  );
  expect(figures.gamesEnded + figures.gamesFailed).toBe(figures.launches);
  expect(figures.joins).toBe(figures.rounds * 4 + figures.leaves);
  // Once every player left, the server holds no session and runs no game.
  expect(figures.sessionsAtEnd).toBe(0);
  expect(figures.runningGamesAtEnd).toBe(0);
  expect(figures.samples.length).toBeGreaterThan(5);
  expect(Number.isFinite(figures.heapSlopeBytesPerMinute)).toBe(true);
});
