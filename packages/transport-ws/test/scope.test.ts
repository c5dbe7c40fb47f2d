import { connect } from 'node:net';
import { proxy } from '@msc/eventual';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { IListener } from '../../transport-tcp/test/fixtures/counter.ts';
import { deskClient, deskServer } from '../../transport-tcp/test/fixtures/desk-scopes.ts';
import { sleep } from '../../transport-tcp/test/fixtures/eventually.ts';
import { ws } from '../src/index.ts';
import { testTls } from './fixtures/tls-fixture.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw ws client; resolves `closed` when the server closes it. */
async function rawClient(address: string) {
  const client = new WebSocket(address);
  client.on('error', () => {});
  cleanups.push(() => client.terminate());
  await new Promise((resolve) => client.once('open', resolve));
  return {
    client,
    closed: new Promise<number>((resolve) => client.once('close', (status) => resolve(status))),
  };
}

class Listener implements IListener {
  async notify(value: number) {
    return `heard ${value}`;
  }
}

describe('a Scope over ws()', () => {
  for (const [name, transport, address] of [
    ['ws:', ws(), 'ws://127.0.0.1:0/msc'],
    ['wss:', ws({ tls: testTls }), 'wss://127.0.0.1:0/msc'],
  ] as const) {
    it(`makes pipelined calls and passes capabilities both ways (${name})`, async () => {
      const server = await deskServer(transport, address, cleanups);
      const desk = deskClient(transport, server.address, cleanups);
      const counter = desk.getCounter();
      expect(await Promise.all([counter.inc(), counter.inc(2), counter.inc(3)])).toEqual([1, 3, 6]);
      const listener = proxy<IListener>(new Listener());
      expect(await desk.callBack(listener, 21)).toBe('heard 42');
      listener[Symbol.dispose]();
      counter[Symbol.dispose]();
      desk[Symbol.dispose]();
    });
  }

  it('clients that send garbage cost the server only their own connections', async () => {
    const { sessions, address } = await deskServer(ws(), 'ws://127.0.0.1:0/msc', cleanups);
    const desk = deskClient(ws(), address, cleanups);
    expect(await desk.echo('before')).toBe('before');
    const port = Number(new URL(address).port);

    const notHttp = connect({ host: '127.0.0.1', port }); // not even HTTP: the HTTP parser refuses it
    notHttp.on('error', () => {});
    notHttp.resume(); // read, so the server's 400 and FIN are seen
    const notHttpClosed = new Promise((resolve) => notHttp.once('close', resolve));
    notHttp.write('\x00\x01garbage\r\n\r\n');
    cleanups.push(() => notHttp.destroy());
    const binaryGarbage = await rawClient(address); // a WebSocket, but not the session protocol
    binaryGarbage.client.send(new Uint8Array(64).fill(0xff));
    const textGarbage = await rawClient(address); // a text message: not a frame at all
    textGarbage.client.send('{"hello": "world"}');
    await notHttpClosed;
    await Promise.all([binaryGarbage.closed, textGarbage.closed]);

    expect(await desk.echo('after')).toBe('after');
    expect(sessions.filter((session) => session.isTerminated).length).toBe(2);
    desk[Symbol.dispose]();
  });

  it('a client that upgrades and then says nothing is closed by the handshake timeout; others keep working', async () => {
    const { sessions, address } = await deskServer(ws(), 'ws://127.0.0.1:0/msc', cleanups, 300);
    const stalled = await rawClient(address);
    const started = Date.now();
    const desk = deskClient(ws(), address, cleanups);
    expect(await desk.echo('meanwhile')).toBe('meanwhile');
    await stalled.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await sessions[0]!.closed).toMatchObject({ code: 'timeout' });
    await sleep(20);
    expect(await desk.echo('still here')).toBe('still here');
    desk[Symbol.dispose]();
  });
});
