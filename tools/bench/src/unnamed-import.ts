/**
 * Imports a TypeScript module as plain JavaScript bundled by esbuild, for code whose speed is the
 * measurement. This process runs TypeScript through tsx, which compiles with `keepNames`: every
 * named function and class gets its `name` redefined, and a class or function whose `name` was
 * redefined takes V8's slow paths (`new` of a redefined `Promise` subclass, promise executors): the
 * local-call floor measured 1.7× slower that way. The measured libraries run from their builds
 * (`tsc` output, names untouched), so the code timed beside them must too. `@msc/*` imports are
 * bundled from the build this process measures (see `bundle.ts`): the module gets its own copy.
 */
import { bundle } from './bundle.ts';

/** Bundles `url` (a TypeScript module) and imports it; the bundle's files are removed once loaded. */
export async function importUnnamed<Module>(url: URL): Promise<Module> {
  const modules = await bundle({ module: url });
  try {
    return (await import(modules.url('module').href)) as Module;
  } finally {
    await modules.remove();
  }
}
