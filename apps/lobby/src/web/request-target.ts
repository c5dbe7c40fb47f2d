/**
 * The path of an HTTP request-target, or `undefined` when it is not one the page server answers.
 *
 * Node's HTTP parser accepts request-targets that `new URL()` rejects (`//[`, `http://[`): the
 * target is hostile input, so it is parsed here without anything that throws. Only the
 * origin-form (`/path?query`, RFC 9112 §3.2.1) is accepted, and only if the WHATWG URL parser
 * (which the WebSocket listener on the same server uses) accepts it too: what passes here cannot
 * throw further in.
 */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return undefined;
  if (!URL.canParse(target, 'http://localhost')) return undefined;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}
