/*
 * The player's identity in this browser, kept across page loads in IndexedDB: one record with the
 * ed25519 key and the name the player chose.
 *
 * The key is a WebCrypto Ed25519 `CryptoKeyPair` generated non-extractable: IndexedDB stores the
 * `CryptoKey` objects themselves (structured clone), so the secret never exists as bytes a script,
 * even this page's own, could read or send anywhere; it can only sign, in this origin. A browser
 * without WebCrypto Ed25519 gets a 32-byte seed instead (readable by the page's scripts, like any
 * stored secret), and keeps it the same way.
 *
 * Two tabs opening the page for the first time at once must not end with two identities: the key is
 * generated before the transaction, and the transaction keeps whichever record was stored first.
 */
import { Identity, validateDisplayName } from '@msc/identity';

const databaseName = 'msc-lobby';
const storeName = 'identity';
const recordKey = 'player';

/** The stored record: one of the two key forms, and the chosen name (`null` until chosen). */
interface PlayerRecord {
  readonly version: 1;
  readonly keyPair?: CryptoKeyPair;
  readonly secretKey?: Uint8Array;
  readonly name: string | null;
}

/** The player kept in this browser: the identity's key, and its name once chosen. */
export class IdentityStore {
  readonly #database: IDBDatabase;
  #record: PlayerRecord;

  private constructor(database: IDBDatabase, record: PlayerRecord) {
    this.#database = database;
    this.#record = record;
  }

  /**
   * Opens the store, making the key on the first visit (kept by every later load).
   *
   * @throws Error when IndexedDB is unavailable (a private window that forbids it) or the stored
   *   record is damaged, saying what to do
   */
  static async open(): Promise<IdentityStore> {
    const database = await openDatabase();
    const fresh = await newRecord();
    const record = await request<PlayerRecord>(database, 'readwrite', (store, done) => {
      const read = store.get(recordKey);
      read.onsuccess = () => {
        const existing = read.result as PlayerRecord | undefined;
        if (isRecord(existing)) return done(existing);
        // First visit, or a record this version cannot read: this transaction writes the one to keep.
        store.put(fresh, recordKey);
        done(fresh);
      };
    });
    return new IdentityStore(database, record);
  }

  /** The name the player chose, or `null` before the first visit's form was sent. */
  get name(): string | null {
    return this.#record.name;
  }

  /** Whether the key is a non-extractable WebCrypto key (else a stored seed). */
  get nonExtractable(): boolean {
    return this.#record.keyPair !== undefined;
  }

  /**
   * Keeps `name` with the identity (trimmed). The lobby checks it again when the session opens.
   *
   * @throws IdentityFormatError when the name breaks the identity's display-name rules
   */
  async setName(name: string): Promise<void> {
    const chosen = name.trim();
    validateDisplayName(chosen);
    const record: PlayerRecord = { ...this.#record, name: chosen };
    await request<void>(this.#database, 'readwrite', (store, done) => {
      store.put(record, recordKey).onsuccess = () => done();
    });
    this.#record = record;
  }

  /**
   * The identity under the chosen name.
   *
   * @throws Error when no name was chosen yet; IdentityFormatError when the stored key is damaged
   */
  async identity(): Promise<Identity> {
    const { keyPair, secretKey, name } = this.#record;
    if (name === null) throw new Error('expected a name to be chosen before connecting');
    try {
      return keyPair !== undefined
        ? await Identity.fromCryptoKeyPair(keyPair, { name })
        : await Identity.fromSecretKey(secretKey as Uint8Array, { name });
    } catch (error) {
      throw new Error(
        "the identity kept in this browser is damaged; clear this site's data to make a new one",
        { cause: error },
      );
    }
  }
}

/** A new record: a non-extractable Ed25519 key pair, or a seed where WebCrypto has no Ed25519. */
async function newRecord(): Promise<PlayerRecord> {
  try {
    const keyPair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    return { version: 1, keyPair, name: null };
  } catch {
    return { version: 1, secretKey: crypto.getRandomValues(new Uint8Array(32)), name: null };
  }
}

function isRecord(value: unknown): value is PlayerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<PlayerRecord>;
  return (
    record.version === 1 &&
    (record.name === null || typeof record.name === 'string') &&
    (record.keyPair !== undefined || record.secretKey instanceof Uint8Array)
  );
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('expected IndexedDB to keep your identity, but this browser has none here'));
      return;
    }
    const opening = indexedDB.open(databaseName, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(storeName);
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () =>
      reject(new Error(`could not open IndexedDB to keep your identity: ${opening.error?.message}`));
    opening.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this page; close it'));
  });
}

/** Runs `body` in one transaction; resolves with what it passes to `done` once the transaction committed. */
function request<T>(
  database: IDBDatabase,
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore, done: (value: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(storeName, mode);
    let result: T;
    transaction.oncomplete = () => resolve(result);
    transaction.onerror = () => reject(new Error(`IndexedDB failed: ${transaction.error?.message}`));
    transaction.onabort = () => reject(new Error(`IndexedDB failed: ${transaction.error?.message}`));
    body(transaction.objectStore(storeName), (value) => {
      result = value;
    });
  });
}
