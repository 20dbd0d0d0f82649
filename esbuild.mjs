// Bundles the extension host, the CLI and the webview. Type-checking is tsc's job (npm run typecheck).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const builds = [
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['webview-ui/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: ['webview-ui/styles.css'], outfile: 'dist/webview.css' },
  // --- Compare ---
  { ...common, entryPoints: ['webview-ui/compare/main.ts'], outfile: 'dist/compare.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: ['webview-ui/compare/styles.css'], outfile: 'dist/compare.css' },
  // --- end Compare ---
  // --- Summarize ---
  { ...common, entryPoints: ['webview-ui/summarize/main.ts'], outfile: 'dist/summarize.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: ['webview-ui/summarize/styles.css'], outfile: 'dist/summarize.css' },
  // --- end Summarize ---
  // --- Ask index ---
  { ...common, entryPoints: ['src/vscode/ask/indexWorker.ts'], outfile: 'dist/indexWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
  // --- end Ask index ---
  // --- Ask view ---
  { ...common, entryPoints: ['webview-ui/ask/main.ts'], outfile: 'dist/ask.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: ['webview-ui/ask/styles.css'], outfile: 'dist/ask.css' },
  // --- end Ask view ---
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
