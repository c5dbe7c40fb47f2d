import { type AuthenticationContext, AuthenticationError, type SessionRole } from '@msc/session';
import { beforeAll, describe, expect, it } from 'vitest';
import { handshakeDigest, signedStatement } from '../src/handshake-digest.ts';
import { decodeHandshakeMessage, encodeHandshakeMessage } from '../src/handshake-messages.ts';
import {
  type AdmissionRequest,
  allowAll,
  allowList,
  customAdmission,
  IDENTITY_SCHEME,
  Identity,
  identityAuthenticator,
  PublicIdentity,
  refuse,
} from '../src/index.ts';
import {
  bindingFor,
  connectedContexts,
  failure,
  freshTranscript,
  handshake,
  PeerEndedError,
  runAuthentication,
} from './harness.ts';

let alice: Identity;
let bob: Identity;
let mallory: Identity;

beforeAll(async () => {
  [alice, bob, mallory] = await Promise.all([
    Identity.generate({ name: 'alice' }),
    Identity.generate({ name: 'bob' }),
    Identity.generate({ name: 'mallory' }),
  ]);
});

const open = (identity: Identity) => identityAuthenticator({ identity, admission: allowAll() });

function expectPeer(outcome: { ok: boolean; peer?: unknown }, expected: Identity): void {
  expect(outcome.ok).toBe(true);
  const peer = outcome.peer as PublicIdentity;
  expect(peer.equals(expected.publicIdentity)).toBe(true);
  expect(peer.name).toBe(expected.name);
  expect(peer.fingerprint).toBe(expected.fingerprint);
}

function expectAuthenticationError(
  error: unknown,
  code: 'invalid' | 'protocol' | 'refused',
  message?: RegExp,
): void {
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).code).toBe(code);
  if (message) expect((error as AuthenticationError).message).toMatch(message);
}

/** The side whose peer failed learns the peer's reason through the session. */
function expectPeerEnded(error: unknown, reason: RegExp): void {
  expect(error).toBeInstanceOf(PeerEndedError);
  expect((error as PeerEndedError).reason).toMatch(reason);
}

describe('a successful handshake', () => {
  it('gives each side the validated public identity of the other', async () => {
    const result = await handshake(open(alice), open(bob));
    expectPeer(result.dialer, bob);
    expectPeer(result.listener, alice);
    // Five messages: introduction, listener proof, dialer proof, and one verdict each way.
    expect(result.sent.dialer).toHaveLength(3);
    expect(result.sent.listener).toHaveLength(2);
  });

  it('works in both directions between the same two identities', async () => {
    const forward = await handshake(open(bob), open(alice));
    expectPeer(forward.dialer, alice);
    expectPeer(forward.listener, bob);
  });

  it('works with identities that have no display name', async () => {
    const [anonymousDialer, anonymousListener] = await Promise.all([
      Identity.generate(),
      Identity.generate(),
    ]);
    const result = await handshake(open(anonymousDialer), open(anonymousListener));
    expectPeer(result.dialer, anonymousListener);
    expectPeer(result.listener, anonymousDialer);
  });

  it('works when both ends use the same identity (the role, not the key, tells the signatures apart)', async () => {
    const result = await handshake(open(alice), open(alice));
    expectPeer(result.dialer, alice);
    expectPeer(result.listener, alice);
  });

  it('announces a versioned scheme name', () => {
    expect(open(alice).scheme).toBe(IDENTITY_SCHEME);
    expect(IDENTITY_SCHEME).toMatch(/\/1$/);
  });

  it('refuses to be built without an admission policy (no silent allow-all)', () => {
    expect(() => identityAuthenticator({ identity: alice } as never)).toThrow(TypeError);
  });
});

/**
 * A dishonest listener: presents `claimed` but signs with `signer` (or reflects/replays what a test
 * gives it). Uses the real digest so that only the property under test is wrong.
 */
function listenerClaiming(claimed: Identity, signer: Identity) {
  return {
    async authenticate(context: AuthenticationContext) {
      const introduction = decodeHandshakeMessage(await context.receive(), 'introduction');
      const dialer = PublicIdentity.fromPublicKey(introduction.publicKey, introduction.name);
      const digest = handshakeDigest({
        protocolVersion: context.protocolVersion,
        transcript: context.transcript,
        channelBinding: context.channelBinding,
        dialer,
        listener: claimed.publicIdentity,
      });
      const signature = await signer.sign(signedStatement('listener', digest));
      context.send(
        encodeHandshakeMessage({
          kind: 'listener-proof',
          publicKey: claimed.publicIdentity.publicKey,
          name: claimed.name,
          signature,
        }),
      );
      return context.receive();
    },
  };
}

describe('a forged or damaged proof', () => {
  it('a listener proof signed by another key than the one presented fails as invalid', async () => {
    const result = await handshake(open(alice), listenerClaiming(bob, mallory) as never);
    expectAuthenticationError(failure(result.dialer), 'invalid', /does not verify/);
    expectPeerEnded(failure(result.listener), /does not verify/);
  });

  it('a dialer proof signed by another key than the one introduced fails as invalid, before admission runs', async () => {
    let admissionCalls = 0;
    const counting = customAdmission(() => {
      admissionCalls++;
      return true;
    });
    const wiring = connectedContexts();
    const listener = runAuthentication(
      wiring.listener,
      identityAuthenticator({ identity: bob, admission: counting }),
    );
    // A dialer that introduces itself as alice and signs as mallory.
    const context = wiring.dialer.context;
    context.send(
      encodeHandshakeMessage({
        kind: 'introduction',
        publicKey: alice.publicIdentity.publicKey,
        name: 'alice',
      }),
    );
    const proof = decodeHandshakeMessage(await context.receive(), 'listener-proof');
    const digest = handshakeDigest({
      protocolVersion: 1,
      transcript: context.transcript,
      channelBinding: context.channelBinding,
      dialer: alice.publicIdentity,
      listener: bob.publicIdentity,
    });
    expect(await bob.publicIdentity.verify(signedStatement('listener', digest), proof.signature)).toBe(true);
    context.send(
      encodeHandshakeMessage({
        kind: 'dialer-proof',
        signature: await mallory.sign(signedStatement('dialer', digest)),
      }),
    );
    const outcome = await listener;
    wiring.dispose();
    expectAuthenticationError(failure(outcome), 'invalid', /dialer's key/);
    expect(admissionCalls).toBe(0);
    await expect(context.receive()).rejects.toThrow(/does not verify/);
  });

  it.each([
    ['listener', 0],
    ['dialer', 1],
  ] as const)('a %s proof with one flipped signature bit fails as invalid', async (role, index) => {
    const result = await handshake(open(alice), open(bob), {
      intercept: (from, message, at) => {
        if (from === role && at === index) message[message.length - 1]! ^= 0x01;
        return message;
      },
    });
    const victim = role === 'listener' ? result.dialer : result.listener;
    const sender = role === 'listener' ? result.listener : result.dialer;
    expectAuthenticationError(failure(victim), 'invalid');
    expectPeerEnded(failure(sender), /does not verify/);
  });

  it('a display name altered in flight breaks the signatures', async () => {
    const result = await handshake(open(alice), open(bob), {
      intercept: (from, message, index) => {
        // The introduction ends with the name "alice": make it "alicf".
        if (from === 'dialer' && index === 0) message[message.length - 1]! += 1;
        return message;
      },
    });
    // The listener signed what it received (alicf); the dialer computes the digest with "alice".
    expectAuthenticationError(failure(result.dialer), 'invalid');
  });

  it('a small-order public key is refused as invalid', async () => {
    const wiring = connectedContexts();
    const listener = runAuthentication(wiring.listener, open(bob));
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1; // the encoding of the neutral point: order 1
    wiring.dialer.context.send(
      encodeHandshakeMessage({ kind: 'introduction', publicKey: identityPoint, name: undefined }),
    );
    const outcome = await listener;
    wiring.dispose();
    expectAuthenticationError(failure(outcome), 'invalid', /small-order/);
  });
});

describe('replay, reflection and relay', () => {
  it('dialer messages recorded from one handshake and replayed into another with fresh nonces fail', async () => {
    const recorded = await handshake(open(alice), open(bob));
    expect(recorded.dialer.ok && recorded.listener.ok).toBe(true);

    const wiring = connectedContexts({ transcript: freshTranscript() });
    const listener = runAuthentication(wiring.listener, open(bob));
    wiring.dialer.context.send(recorded.sent.dialer[0]!); // introduction: accepted, it carries no proof
    await wiring.dialer.context.receive();
    wiring.dialer.context.send(recorded.sent.dialer[1]!); // the old dialer proof
    const outcome = await listener;
    wiring.dispose();
    expectAuthenticationError(failure(outcome), 'invalid', /replayed/);
  });

  it('a listener proof recorded from one handshake and replayed into another fails', async () => {
    const recorded = await handshake(open(alice), open(bob));
    const wiring = connectedContexts();
    const dialer = runAuthentication(wiring.dialer, open(alice));
    await wiring.listener.context.receive();
    wiring.listener.context.send(recorded.sent.listener[0]!);
    const outcome = await dialer;
    wiring.dispose();
    expectAuthenticationError(failure(outcome), 'invalid');
  });

  it("a dialer's own messages echoed back to it are refused as a protocol error", async () => {
    const wiring = connectedContexts();
    const dialer = runAuthentication(wiring.dialer, open(alice));
    wiring.listener.context.send(await wiring.listener.context.receive()); // the mirror
    const outcome = await dialer;
    wiring.dispose();
    expectAuthenticationError(
      failure(outcome),
      'protocol',
      /expected a listener-proof message, got a introduction message/,
    );
  });

  it("a listener's own signature reflected back as the dialer's proof fails, even under the listener's own key", async () => {
    const wiring = connectedContexts();
    const listener = runAuthentication(wiring.listener, open(bob));
    const context = wiring.dialer.context;
    // Mirror bob's identity at him, then hand his own signature back as the dialer's proof.
    context.send(
      encodeHandshakeMessage({
        kind: 'introduction',
        publicKey: bob.publicIdentity.publicKey,
        name: bob.name,
      }),
    );
    const proof = decodeHandshakeMessage(await context.receive(), 'listener-proof');
    context.send(encodeHandshakeMessage({ kind: 'dialer-proof', signature: proof.signature }));
    const outcome = await listener;
    wiring.dispose();
    expectAuthenticationError(failure(outcome), 'invalid');
  });

  it('a relay forwarding one handshake between two other connections fails on the channel binding', async () => {
    // The relay sits between alice (connection A) and bob (connection B) and forwards every byte,
    // hellos included, so both see the same transcript; only the channel bindings differ.
    const result = await handshake(open(alice), open(bob), {
      dialerChannelBinding: bindingFor('127.0.0.1:50001', '127.0.0.1:7000'),
      listenerChannelBinding: bindingFor('127.0.0.1:50002', '127.0.0.1:7001'),
    });
    expectAuthenticationError(failure(result.dialer), 'invalid');
    expectPeerEnded(failure(result.listener), /does not verify/);
  });

  it('a protocol version changed in flight (a downgrade) fails', async () => {
    const wiring = connectedContexts();
    const listener = runAuthentication(wiring.listener, open(bob));
    const dialerContext = { ...wiring.dialer.context, protocolVersion: 2 };
    const dialer = runAuthentication({ ...wiring.dialer, context: dialerContext }, open(alice));
    const [dialerOutcome, listenerOutcome] = await Promise.all([dialer, listener]);
    wiring.dispose();
    expectAuthenticationError(failure(dialerOutcome), 'invalid');
    expect(listenerOutcome.ok).toBe(false);
  });

  it('a different hello transcript on each side fails', async () => {
    const result = await handshake(open(alice), open(bob), {
      dialerTranscript: freshTranscript(),
      listenerTranscript: freshTranscript(),
    });
    expectAuthenticationError(failure(result.dialer), 'invalid');
  });
});

describe('admission', () => {
  it('a dialer the listener does not admit is refused, and the reason reaches the dialer', async () => {
    const listener = identityAuthenticator({ identity: bob, admission: allowList([mallory.publicIdentity]) });
    const result = await handshake(open(alice), listener);
    const refusal = failure(result.listener);
    expectAuthenticationError(refusal, 'refused', /not on the allow list/);
    expect(refusal.message).toContain(alice.fingerprint);
    // The dialer gets the verdict in band as a typed refusal naming the reason.
    expectAuthenticationError(
      failure(result.dialer),
      'refused',
      /the listener refused this session: not on the allow list/,
    );
  });

  it('a listener the dialer does not admit is refused, and the listener does not resolve', async () => {
    let dialerAdmissionRequest: AdmissionRequest | undefined;
    const dialer = identityAuthenticator({
      identity: alice,
      admission: customAdmission((peer, request) => {
        dialerAdmissionRequest = request;
        return peer.name === 'bob' ? refuse('bob is not the server I expected') : true;
      }),
    });
    const result = await handshake(dialer, open(bob));
    expectAuthenticationError(failure(result.dialer), 'refused', /^bob is not the server I expected$/);
    expectAuthenticationError(
      failure(result.listener),
      'refused',
      /the dialer refused this session: bob is not the server/,
    );
    expect(dialerAdmissionRequest?.role).toBe('dialer');
    expect(dialerAdmissionRequest?.protocolVersion).toBe(1);
  });

  it('the dialer does not run its policy when the listener refused it first', async () => {
    let dialerAdmissionCalls = 0;
    const dialer = identityAuthenticator({
      identity: alice,
      admission: customAdmission(() => {
        dialerAdmissionCalls++;
        return true;
      }),
    });
    const listener = identityAuthenticator({ identity: bob, admission: customAdmission(() => false) });
    const result = await handshake(dialer, listener);
    expectAuthenticationError(failure(result.dialer), 'refused', /refused by the admission policy/);
    expect(dialerAdmissionCalls).toBe(0);
  });

  it('a policy that refuses by throwing AuthenticationError("refused") works like a refusal', async () => {
    const listener = identityAuthenticator({
      identity: bob,
      admission: {
        async admit() {
          throw new AuthenticationError('refused', 'come back tomorrow');
        },
      },
    });
    const result = await handshake(open(alice), listener);
    expectAuthenticationError(failure(result.dialer), 'refused', /come back tomorrow/);
  });

  it('a policy that fails keeps its error locally and the peer learns only that authentication failed', async () => {
    const broken = new Error('database unreachable at 10.1.2.3');
    const listener = identityAuthenticator({
      identity: bob,
      admission: {
        async admit() {
          throw broken;
        },
      },
    });
    const result = await handshake(open(alice), listener);
    expect(failure(result.listener)).toBe(broken);
    expectPeerEnded(failure(result.dialer), /^authentication failed$/);
  });

  it('a long refusal reason is cut to the limit on a character boundary', async () => {
    const listener = identityAuthenticator({
      identity: bob,
      admission: customAdmission(() => refuse('é'.repeat(2000))),
    });
    const result = await handshake(open(alice), listener);
    const message = failure(result.dialer).message;
    expect(message).toMatch(/é+$/);
    expect(new TextEncoder().encode(message.slice(message.indexOf('é'))).length).toBe(1024);
  });
});

describe('malformed messages', () => {
  const cases: [string, SessionRole, number, (message: Uint8Array) => Uint8Array][] = [
    ['a truncated introduction', 'dialer', 0, (message) => message.slice(0, 10)],
    ['an empty introduction', 'dialer', 0, () => new Uint8Array(0)],
    ['an introduction with a trailing byte', 'dialer', 0, (message) => Uint8Array.from([...message, 0])],
    [
      'an introduction of an unknown format version',
      'dialer',
      0,
      (message) => Uint8Array.from([2, ...message.slice(1)]),
    ],
    ['a truncated listener proof', 'listener', 0, (message) => message.slice(0, message.length - 1)],
    ['a listener proof of garbage', 'listener', 0, (message) => message.map(() => (Math.random() * 256) | 0)],
    ['a dialer proof without signature', 'dialer', 1, (message) => message.slice(0, 2)],
    ['a verdict with an unknown status', 'listener', 1, () => Uint8Array.from([1, 4, 7, 0, 0])],
  ];
  it.each(cases)(
    '%s ends the handshake with a protocol error on the receiving side',
    async (_name, from, index, damage) => {
      const result = await handshake(open(alice), open(bob), {
        intercept: (sender, message, at) => (sender === from && at === index ? damage(message) : message),
      });
      const receiver = from === 'dialer' ? result.listener : result.dialer;
      const sender = from === 'dialer' ? result.dialer : result.listener;
      const error = failure(receiver);
      // Garbage may by chance start with the right header and fail later as a bad key instead.
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(['protocol', 'invalid']).toContain((error as AuthenticationError).code);
      expect(error.message).toMatch(/expected|small-order|canonical/);
      expect(sender.ok).toBe(false);
    },
  );

  it('a peer that never answers ends with the session timeout, not a hang', async () => {
    const wiring = connectedContexts({ timeout: 50 });
    const outcome = await runAuthentication(wiring.listener, open(bob));
    wiring.dispose();
    expect(failure(outcome).message).toMatch(/timed out/);
  });
});

describe('load', () => {
  it('200 concurrent handshakes all authenticate the right peers', async () => {
    const dialers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => Identity.generate({ name: `player-${index}` })),
    );
    const listener = identityAuthenticator({
      identity: bob,
      admission: allowList(dialers.map((dialer) => dialer.publicIdentity)),
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        handshake(open(dialers[index % dialers.length]!), listener, { timeout: 60_000 }),
      ),
    );
    results.forEach((result, index) => {
      expectPeer(result.dialer, bob);
      expectPeer(result.listener, dialers[index % dialers.length]!);
    });
  });
});
