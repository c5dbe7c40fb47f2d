import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AdmissionRequest,
  allowAll,
  Identity,
  identityAuthenticator,
  PublicIdentity,
  trustOnFirstUse,
} from '../src/index.ts';
import {
  IdentityFileError,
  knownPeersFile,
  loadIdentity,
  loadOrCreateIdentity,
  saveIdentity,
} from '../src/node.ts';
import { failure, handshake } from './harness.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'msc-identity-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';

async function expectFileError(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IdentityFileError);
  expect((error as IdentityFileError).code).toBe(code);
  expect((error as IdentityFileError).message).toMatch(message);
}

describe('identity files', () => {
  it('save writes mode 0600 and load returns the same identity', async () => {
    const path = join(directory, 'alice.json');
    const identity = await Identity.generate({ name: 'alice' });
    await saveIdentity(identity, path);
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    const loaded = await loadIdentity(path);
    expect(loaded.publicIdentity.equals(identity.publicIdentity)).toBe(true);
    expect(loaded.name).toBe('alice');
    const message = new TextEncoder().encode('same key');
    expect(await identity.publicIdentity.verify(message, await loaded.sign(message))).toBe(true);
    // Nothing but the file itself is left behind (no temporary files).
    expect(await readdir(directory)).toEqual(['alice.json']);
  });

  it('save refuses to overwrite an existing file unless asked to', async () => {
    const path = join(directory, 'id.json');
    const first = await Identity.generate();
    await saveIdentity(first, path);
    await expectFileError(
      saveIdentity(await Identity.generate(), path),
      'exists',
      /never overwritten silently/,
    );
    expect((await loadIdentity(path)).publicIdentity.equals(first.publicIdentity)).toBe(true);
    const second = await Identity.generate();
    await saveIdentity(second, path, { overwrite: true });
    expect((await loadIdentity(path)).publicIdentity.equals(second.publicIdentity)).toBe(true);
    expect(await readdir(directory)).toEqual(['id.json']);
  });

  it('save creates mode 0600 even under a permissive umask', async () => {
    const previous = process.umask(0);
    try {
      const path = join(directory, 'id.json');
      await saveIdentity(await Identity.generate(), path);
      if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it.runIf(posix)('load refuses a file that group or others can read, and says how to fix it', async () => {
    const path = join(directory, 'id.json');
    await saveIdentity(await Identity.generate(), path);
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(path, mode);
      await expectFileError(
        loadIdentity(path),
        'insecure-permissions',
        new RegExp(`found mode 0${mode.toString(8)}.*chmod 600`),
      );
    }
    await chmod(path, 0o400); // stricter than 0600 is fine
    await expect(loadIdentity(path)).resolves.toBeInstanceOf(Identity);
  });

  it.runIf(posix)('load refuses something that is not a regular file', async () => {
    await expectFileError(loadIdentity(directory), 'insecure-permissions', /regular file/);
  });

  it.runIf(posix)('load checks the file a symbolic link points to', async () => {
    const path = join(directory, 'id.json');
    await saveIdentity(await Identity.generate(), path);
    await chmod(path, 0o644);
    await symlink(path, join(directory, 'link.json'));
    await expectFileError(loadIdentity(join(directory, 'link.json')), 'insecure-permissions', /0644/);
  });

  it('loadOrCreateIdentity in a missing folder names the folder and the fix, not a temporary file', async () => {
    const folder = join(directory, 'missing', 'deeper');
    const path = join(folder, 'alice.identity.json');
    const error = await loadOrCreateIdentity(path, { name: 'alice' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(IdentityFileError);
    const fileError = error as IdentityFileError;
    expect(fileError.code).toBe('folder-not-found');
    expect(fileError.path).toBe(path);
    expect(fileError.message).toContain(`expected the folder ${folder} to exist`);
    expect(fileError.message).toMatch(/create it first .*mkdir -p.*or pass a path in an existing folder/);
    expect(fileError.message).not.toMatch(/\.tmp|ENOENT/);
    // Creating the folder is the fix.
    await mkdir(folder, { recursive: true });
    expect((await loadOrCreateIdentity(path, { name: 'alice' })).name).toBe('alice');
  });

  it('a known-peers file in a missing folder names the folder on set', async () => {
    const path = join(directory, 'nowhere', 'known-peers.json');
    const store = knownPeersFile(path);
    expect(await store.get('bob')).toBeUndefined();
    const bob = await Identity.generate({ name: 'bob' });
    await expectFileError(
      store.set('bob', bob.publicIdentity),
      'folder-not-found',
      /expected the folder .*nowhere to exist/,
    );
  });

  it('load reports a missing file as not-found', async () => {
    await expectFileError(loadIdentity(join(directory, 'none.json')), 'not-found', /found none/);
  });

  const corruptions: [string, (document: Record<string, unknown>) => string, RegExp][] = [
    ['text that is not JSON', () => 'not json {', /does not parse/],
    ['a JSON array', () => '[]', /JSON object/],
    [
      'another format',
      (document) => JSON.stringify({ ...document, format: 'ssh' }),
      /expected format "msc-identity"/,
    ],
    [
      'a future version',
      (document) => JSON.stringify({ ...document, version: 2 }),
      /expected version 1, found 2/,
    ],
    [
      'a short secret key',
      (document) => JSON.stringify({ ...document, secretKey: 'AAAA' }),
      /32 bytes of base64url/,
    ],
    [
      'a missing secret key',
      (document) => JSON.stringify({ ...document, secretKey: undefined }),
      /secretKey/,
    ],
    [
      "another key pair's public key",
      (document) =>
        JSON.stringify({ ...document, publicKey: 'ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }),
      /public key of "secretKey"/,
    ],
    [
      'a wrong fingerprint',
      (document) => JSON.stringify({ ...document, fingerprint: 'aaaa' }),
      /"fingerprint"/,
    ],
    ['a bad display name', (document) => JSON.stringify({ ...document, name: 'a\nb' }), /control characters/],
    ['a truncated file', (document) => JSON.stringify(document).slice(0, 40), /does not parse/],
  ];
  it.each(corruptions)('load refuses a file holding %s as corrupt', async (_what, corrupt, message) => {
    const path = join(directory, 'id.json');
    await saveIdentity(await Identity.generate({ name: 'alice' }), path);
    const document = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, corrupt(document), { mode: 0o600 });
    await expectFileError(loadIdentity(path), 'corrupt', message);
  });

  it('loadOrCreate makes an identity once and loads it afterwards, also when racing', async () => {
    const path = join(directory, 'id.json');
    const created = await Promise.all(
      Array.from({ length: 5 }, () => loadOrCreateIdentity(path, { name: 'node' })),
    );
    for (const identity of created)
      expect(identity.publicIdentity.equals(created[0]!.publicIdentity)).toBe(true);
    const again = await loadOrCreateIdentity(path);
    expect(again.publicIdentity.equals(created[0]!.publicIdentity)).toBe(true);
    expect(again.name).toBe('node');
    expect(await readdir(directory)).toEqual(['id.json']);
  });

  it('loadOrCreate does not replace a corrupt file', async () => {
    const path = join(directory, 'id.json');
    await writeFile(path, 'garbage', { mode: 0o600 });
    await expectFileError(loadOrCreateIdentity(path), 'corrupt', /does not parse/);
    expect(await readFile(path, 'utf8')).toBe('garbage');
  });
});

describe('known-peers files with trust on first use', () => {
  it('a first session is remembered in the file and a changed key is refused with the file unchanged', async () => {
    const path = join(directory, 'known-peers.json');
    const server = await Identity.generate({ name: 'server' });
    const listener = identityAuthenticator({
      identity: server,
      admission: trustOnFirstUse({ knownPeers: knownPeersFile(path) }),
    });
    const alice = await Identity.generate({ name: 'alice' });

    const first = await handshake(
      identityAuthenticator({ identity: alice, admission: allowAll() }),
      listener,
    );
    expect(first.listener.ok && first.dialer.ok).toBe(true);
    const remembered = await readFile(path, 'utf8');
    expect(JSON.parse(remembered)).toEqual({
      format: 'msc-known-peers',
      version: 1,
      peers: [
        { name: 'alice', fingerprint: alice.fingerprint, publicKey: alice.publicIdentity.publicKeyText },
      ],
    });
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);

    const again = await handshake(
      identityAuthenticator({ identity: alice, admission: allowAll() }),
      listener,
    );
    expect(again.listener.ok).toBe(true);

    const impostor = await Identity.generate({ name: 'alice' });
    const changed = await handshake(
      identityAuthenticator({ identity: impostor, admission: allowAll() }),
      listener,
    );
    expect(failure(changed.listener)).toMatchObject({ code: 'refused' });
    expect(failure(changed.dialer).message).toMatch(
      `the listener refused this session: key-changed: the public key of known peer "alice" changed: known fingerprint ${alice.fingerprint}, presented ${impostor.fingerprint}`,
    );
    expect(await readFile(path, 'utf8')).toBe(remembered);
    expect(await readdir(directory)).toEqual(['known-peers.json']);
  });

  it('many peers remembered at once all end up in the file', async () => {
    const path = join(directory, 'known-peers.json');
    const store = knownPeersFile(path);
    const peers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => Identity.generate({ name: `peer-${index}` })),
    );
    await Promise.all(peers.map((peer) => store.set(peer.name!, peer.publicIdentity)));
    const reread = knownPeersFile(path);
    for (const peer of peers) expect((await reread.get(peer.name!))?.equals(peer.publicIdentity)).toBe(true);
    expect(await readdir(directory)).toEqual(['known-peers.json']);
  });

  it('an entry removed by hand lets a new key in', async () => {
    const path = join(directory, 'known-peers.json');
    const store = knownPeersFile(path);
    await store.set('alice', (await Identity.generate()).publicIdentity);
    await writeFile(path, JSON.stringify({ format: 'msc-known-peers', version: 1, peers: [] }), {
      mode: 0o600,
    });
    const fresh = (await Identity.generate({ name: 'alice' })).publicIdentity;
    expect(
      await trustOnFirstUse({ knownPeers: store }).admit(fresh, {
        role: 'listener',
        protocolVersion: 1,
        signal: AbortSignal.timeout(1000),
      }),
    ).toEqual({
      admitted: true,
    });
  });

  it.each([
    ['text that is not JSON', '{'],
    ['another format', '{"format":"other","version":1,"peers":[]}'],
    [
      'a bad key',
      '{"format":"msc-known-peers","version":1,"peers":[{"name":"a","publicKey":"ed25519:xyz"}]}',
    ],
    [
      'a duplicate name',
      '{"format":"msc-known-peers","version":1,"peers":[{"name":"a","publicKey":"ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"name":"a","publicKey":"ed25519:11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}',
    ],
  ])('a known-peers file holding %s is refused as corrupt and never overwritten', async (_what, content) => {
    const path = join(directory, 'known-peers.json');
    await writeFile(path, content, { mode: 0o600 });
    const store = knownPeersFile(path);
    await expectFileError(store.get('a'), 'corrupt', /known peers file .* is corrupt/);
    await expectFileError(store.set('b', (await Identity.generate()).publicIdentity), 'corrupt', /corrupt/);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('a corrupt known-peers file fails the handshake locally; the peer learns only that authentication failed', async () => {
    const path = join(directory, 'known-peers.json');
    await writeFile(path, 'garbage', { mode: 0o600 });
    const listener = identityAuthenticator({
      identity: await Identity.generate({ name: 'server' }),
      admission: trustOnFirstUse({ knownPeers: knownPeersFile(path) }),
    });
    const result = await handshake(
      identityAuthenticator({ identity: await Identity.generate({ name: 'alice' }), admission: allowAll() }),
      listener,
    );
    expect(failure(result.listener)).toBeInstanceOf(IdentityFileError);
    expect((failure(result.dialer) as { reason?: string }).reason).toBe('authentication failed');
  });

  it.skipIf(!posix)(
    'a known-peers file group or others can write is refused with the chmod that fixes it',
    async () => {
      const path = join(directory, 'known-peers.json');
      const store = knownPeersFile(path);
      await store.set('alice', (await Identity.generate()).publicIdentity);
      for (const mode of [0o666, 0o620, 0o602, 0o660]) {
        await chmod(path, mode);
        await expectFileError(
          store.get('alice'),
          'insecure-permissions',
          new RegExp(`found mode 0${mode.toString(8)}.*chmod 600 ${path}`),
        );
        await expectFileError(store.list(), 'insecure-permissions', /chmod 600/);
        await expectFileError(
          store.set('bob', (await Identity.generate()).publicIdentity),
          'insecure-permissions',
          /chmod 600/,
        );
      }
      // Readable by others is not a trust problem (the file holds public keys only).
      await chmod(path, 0o644);
      expect(await store.get('alice')).toBeDefined();
      await chmod(path, 0o600);
      expect((await store.list()).map((peer) => peer.name)).toEqual(['alice']);
    },
  );

  it.skipIf(!posix)('a known-peers path that is a directory is refused', async () => {
    await expectFileError(knownPeersFile(directory).get('a'), 'insecure-permissions', /regular file/);
  });

  it('a file of 20,000 peers is parsed once, not on every decision, and again only when it changes', async () => {
    const path = join(directory, 'known-peers.json');
    const request: AdmissionRequest = {
      role: 'listener',
      protocolVersion: 1,
      signal: AbortSignal.timeout(60_000),
    };
    // What one key registering fresh names leaves behind (entries without fingerprints, as by hand).
    const attacker = (await Identity.generate()).publicIdentity;
    const entries = Array.from({ length: 20_000 }, (_, index) => ({
      name: `x${index}`,
      publicKey: attacker.publicKeyText,
    }));
    const writeEntries = (peers: readonly object[]) =>
      writeFile(path, JSON.stringify({ format: 'msc-known-peers', version: 1, peers }), { mode: 0o600 });
    await writeEntries(entries);
    // Counts the entries parsed. Each key is decoded once, so a store that re-parsed on every
    // decision would fail on the count below rather than on a timeout.
    const parse = PublicIdentity.fromText.bind(PublicIdentity);
    const decoded = new Map<string, PublicIdentity>();
    const fromText = vi.spyOn(PublicIdentity, 'fromText').mockImplementation((text, name) => {
      const identity = decoded.get(text) ?? parse(text);
      decoded.set(text, identity);
      return identity.withName(name);
    });
    try {
      const store = knownPeersFile(path);
      const bounded = trustOnFirstUse({ knownPeers: store });
      const roomy = trustOnFirstUse({ knownPeers: store, maxKnownPeers: 30_000 });
      const alice = (await Identity.generate({ name: 'alice' })).publicIdentity;
      expect(await bounded.admit(attacker.withName('x1'), request)).toEqual({ admitted: true });
      expect(fromText).toHaveBeenCalledTimes(20_000);
      // Over the default limit of 10,000: known peers get in, a new name does not.
      expect(await bounded.admit(alice, request)).toMatchObject({
        admitted: false,
        code: 'known-peers-full',
      });
      expect(await bounded.admit(attacker.withName('x19999'), request)).toEqual({ admitted: true });
      // A new name under a higher limit is written to the file, which this store does not parse again.
      expect(await roomy.admit(alice, request)).toEqual({ admitted: true });
      expect(await roomy.admit(alice, request)).toEqual({ admitted: true });
      expect(await roomy.admit(attacker.withName('x2'), request)).toEqual({ admitted: true });
      expect(fromText).toHaveBeenCalledTimes(20_000);
      expect(JSON.parse(await readFile(path, 'utf8')).peers).toHaveLength(20_001);
      // An edit by hand is parsed on the next decision: alice's entry is gone, so she is new again.
      await writeEntries(entries.slice(0, 10));
      expect(await bounded.admit(alice, request)).toEqual({ admitted: true });
      expect(fromText).toHaveBeenCalledTimes(20_010);
      expect(JSON.parse(await readFile(path, 'utf8')).peers).toHaveLength(11);
    } finally {
      fromText.mockRestore();
    }
  });

  it('names are stored and looked up in NFC: a decomposed name finds the precomposed entry', async () => {
    const path = join(directory, 'known-peers.json');
    const store = knownPeersFile(path);
    const jose = (await Identity.generate()).publicIdentity;
    await store.set('jos\u0065\u0301', jose);
    expect((await store.get('jos\u00e9'))?.equals(jose)).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8')).peers[0].name).toBe('jos\u00e9');
  });
});
