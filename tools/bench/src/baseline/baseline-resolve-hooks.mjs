// Module resolution hooks of a measuring process that runs a baseline build of @msc (registered by
// `useBaselineBuild` in `../msc-build.ts`). Plain JavaScript: hooks run on Node's loader thread.
//
// An `@msc/*` import made from outside the baseline checkout (the harness's adapters) is resolved as
// if the baseline's own `tools/bench/package.json` made it: through that checkout's node_modules, to
// its packages' `dist/` (no `@msc/source` condition is set). Imports made inside the checkout (one
// baseline package importing another) are left alone: they resolve there already.

/** `file:` URL of the checkout, with a trailing slash. */
let root = '';
/** `file:` URL the redirected imports are resolved from. */
let parent = '';

/** @param {{ root: string, parent: string }} data */
export function initialize(data) {
  root = data.root;
  parent = data.parent;
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context?: object) => Promise<unknown>} nextResolve
 */
export function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('@msc/') && !(context.parentURL ?? '').startsWith(root)) {
    return nextResolve(specifier, { ...context, parentURL: parent });
  }
  return nextResolve(specifier, context);
}
