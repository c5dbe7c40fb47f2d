import { fileURLToPath } from 'node:url';

/**
 * Bundles the browser client (`src/web/browser-main.ts`) with rollup for browsers: the `browser`
 * export condition picks `@msc/transport-ws`'s native-WebSocket build (so `ws` and `node:` modules
 * never enter the bundle), `@msc/source` reads the workspace sources, esbuild strips the types.
 *
 * @returns the bundle's code (one ES module)
 * @throws what rollup throws when the sources do not bundle
 */
export async function bundleBrowserClient(): Promise<string> {
  // Loaded on demand: only a server that serves the page needs the bundler.
  const [{ rollup }, { nodeResolve }, { default: esbuild }] = await Promise.all([
    import('rollup'),
    import('@rollup/plugin-node-resolve'),
    import('rollup-plugin-esbuild'),
  ]);
  const bundle = await rollup({
    input: fileURLToPath(new URL('./browser-main.ts', import.meta.url)),
    plugins: [
      nodeResolve({
        browser: true,
        exportConditions: ['browser', '@msc/source'],
        extensions: ['.ts', '.mjs', '.js'],
      }),
      esbuild({ target: 'es2022', minify: false }),
    ],
    onwarn: (warning, warn) => {
      if (warning.code !== 'CIRCULAR_DEPENDENCY') warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}
