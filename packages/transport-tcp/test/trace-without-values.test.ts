import { type Proxy, proxy, type Sequence, sequence } from '@msc/eventual';
import { jsonLinesTraceSink, type TraceEvent, traceMessages } from '@msc/session';
import { describe, expect, test } from 'vitest';
import { connect, listen, networks, party } from './fixtures/scenario-network.ts';

// What a lobby's players send and get: chat text, a join token, a score. Level `messages` is
// documented as fit for production logs, so none of it may reach them, over any network.
const chatText = 'meet-me-at-cell-4-b2e9';
const joinToken = 'join-token-7d31c0';
const score = 424_242.5;

interface IChat {
  say(text: string): Promise<string>;
  score(): Promise<number>;
  history(): Sequence<string>;
  refuse(): Promise<never>;
}

class Chat implements IChat {
  async say(text: string): Promise<string> {
    return `${joinToken}/${text.length}`;
  }
  async score(): Promise<number> {
    return score;
  }
  history(): Sequence<string> {
    const [items, writer] = sequence<string>();
    writer.write(chatText);
    writer.write(joinToken);
    void writer.close().catch(() => {});
    return items;
  }
  async refuse(): Promise<never> {
    throw new RangeError(`no seat for ${joinToken}`);
  }
}

describe.each(networks)('trace level messages over $name records no value', (network) => {
  test("arguments, results, stream items and error text stay out of both sides' traces", async () => {
    const lines: string[] = [];
    const trace = (label: string) =>
      traceMessages({ level: 'messages', sink: jsonLinesTraceSink((line) => void lines.push(line)), label });
    const root = proxy<IChat>(new Chat());
    const host = await listen(network, party(network, root as Proxy<unknown>, trace('host')));
    root[Symbol.dispose]();
    using remote = (await connect<IChat>(party(network, undefined, trace('player')), host)).remote;

    expect(await remote.say(chatText)).toBe(`${joinToken}/${chatText.length}`);
    expect(await remote.score()).toBe(score);
    const received: string[] = [];
    for await (const item of await remote.history()) received.push(item);
    expect(received).toEqual([chatText, joinToken]);
    await expect(remote.refuse()).rejects.toThrow(joinToken);

    const output = lines.join('');
    const events = output
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as TraceEvent & { payload?: string });
    // Everything a reader of the log could recover: the lines, and any payload bytes they carry.
    const recoverable =
      output + events.map((event) => Buffer.from(event.payload ?? '', 'base64').toString('latin1')).join('');
    for (const value of [chatText, joinToken, 'no seat']) expect(recoverable).not.toContain(value);
    expect(output).not.toContain(String(score));
    expect(events.some((event) => event.payload !== undefined)).toBe(false);
    // What it does record: who called what, with sizes, on both sides.
    const says = events.filter((event) => event.type === 'Call' && event.fields.method === 'say');
    expect(says.map((event) => [event.session, event.direction])).toEqual(
      expect.arrayContaining([
        ['player', 'out'],
        ['host', 'in'],
      ]),
    );
    for (const event of says) expect(event.size).toBeGreaterThan(chatText.length);
    expect(events.some((event) => event.type === 'Return' && event.fields.result === 'error')).toBe(true);
  });
});
