/**
 * The path of an HTTP request-target, for routing an upgrade request; `undefined` when it has none or cannot be
 * parsed. Never throws: the target comes from the network, and Node's HTTP parser accepts targets that `new URL()`
 * rejects (`//`, `http://[`…), which must end in an HTTP 400, not an exception out of the `upgrade` listener.
 *
 * - origin-form (`/msc?x=1`): the part before `?` or `#`, as it came (`//x/msc` is the path `//x/msc`, not a host).
 * - absolute-form (`http://host/msc`, `ws://…`; RFC 9112 §3.2.2): the URL's path, when the URL parses.
 * - authority-form (`host:443`) and asterisk-form (`*`) have no path.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || target === '') return undefined;
  if (target.startsWith('/')) {
    const end = target.search(/[?#]/);
    return end === -1 ? target : target.slice(0, end);
  }
  if (!/^(?:https?|wss?):\/\//i.test(target)) return undefined;
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}
