// The check that no published declaration names a property the build shortens (the consumer test runs it on every
// installed .d.ts): here on hand-made declarations, and on the names the builds share.
import { describe, expect, test } from 'vitest';
import { shortenedNames, shortenedNamesIn } from '../src/shortened-names.ts';

describe('shortened names in declarations', () => {
  test('a member, a property access or a parameter type naming one is found; a longer identifier is not', () => {
    const names = ['receiveFrame_', 'abortAll_', 'sendLazily_'];
    const declarations = [
      'export declare class Session {',
      '    receiveFrame_(frame: Uint8Array): void;',
      '    readonly abortAll_: () => void;',
      '    sendLazily_x(): void;',
      '    xsendLazily_(): void;',
      '}',
    ].join('\n');
    expect(shortenedNamesIn(declarations, names)).toEqual(['receiveFrame_', 'abortAll_']);
    expect(shortenedNamesIn('export declare function start(): void;', names)).toEqual([]);
  });

  test('a mention in a comment is not a member', () => {
    const declarations = [
      '/** Ends with {@link abortAll_}, see',
      ' * `receiveFrame_`. */',
      'export declare class Embargoes {',
      '    hold(): void;',
      '}',
      '// receiveFrame_',
    ].join('\n');
    expect(shortenedNamesIn(declarations, ['abortAll_', 'receiveFrame_'])).toEqual([]);
  });

  test("the builds' names are the sources' internal properties, not strings or locals", () => {
    const names = shortenedNames();
    expect(names).toContain('receiveFrame_');
    expect(names).toContain('abortAll_');
    // A string prefix (transport-ws: ws's error codes) is not a property.
    expect(names).not.toContain('WS_ERR_');
    for (const name of names) expect(name).toMatch(/^[A-Za-z$][\w$]*[A-Za-z0-9$]_$/);
  });
});
