// Shared rollup config for every publishable package: one ESM bundle per entry, esbuild for
// TypeScript → JavaScript (declarations come from `tsc -b`), every bare import kept external so a
// package never inlines its dependencies.
import esbuild from 'rollup-plugin-esbuild';
import { internalProperties, internalPropertyCache } from './internal-properties.js';

/**
 * @param {{ input?: Record<string, string> }} [options] entry points, default `{ index: 'src/index.ts' }`
 * @returns {import('rollup').RollupOptions}
 */
export function packageBundle(options = {}) {
  return {
    input: options.input ?? { index: 'src/index.ts' },
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
    // Internal property names (ending in `_`) are shortened the same way in every module (internal-properties.js).
    plugins: [
      esbuild({
        target: 'es2022',
        sourceMap: true,
        mangleProps: internalProperties,
        mangleCache: internalPropertyCache(),
      }),
    ],
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      // One output file per source module, as in src/: a bundler then drops every module a program
      // does not use (the packages are `sideEffects: false`), as it does when it reads the sources.
      // One merged chunk would keep each unused module's top-level values (a FinalizationRegistry,
      // a table with computed keys) and whatever they reference.
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].js',
    },
  };
}
