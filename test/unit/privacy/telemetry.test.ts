import * as assert from 'assert';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..', '..', '..');

/** What a telemetry SDK or VS Code's telemetry API looks like in a bundle. */
const TELEMETRY = [
  /createTelemetryLogger/,
  /@vscode\/extension-telemetry|vscode-extension-telemetry|TelemetryReporter/,
  /applicationinsights|dc\.services\.visualstudio\.com|\.in\.applicationinsights\.azure\.com/i,
  /@opentelemetry\//,
  /@sentry\/|sentry\.io/,
  /posthog|mixpanel|amplitude\.com|segment\.(io|com)|google-analytics\.com|googletagmanager/i,
];

describe('privacy: no telemetry in the extension bundle', function () {
  this.timeout(60000);
  it('the bundled extension host (and the CLI) use no telemetry SDK and no vscode.env.createTelemetryLogger', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'flab-bundle-'));
    try {
      // A fresh bundle of the sources, as esbuild.mjs makes dist/extension.js; plus dist/ itself when it was built.
      await build({ entryPoints: [path.join(root, 'src', 'vscode', 'extension.ts'), path.join(root, 'src', 'cli', 'main.ts')], outdir: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'silent' });
      const bundles = [path.join(out, 'vscode', 'extension.js'), path.join(out, 'cli', 'main.js'), path.join(root, 'dist', 'extension.js'), path.join(root, 'dist', 'cli.js')].filter((f) => existsSync(f));
      assert.ok(bundles.length >= 2, bundles.join(', '));
      for (const file of bundles) {
        const code = readFileSync(file, 'utf8');
        assert.ok(code.length > 10_000, `${file} looks empty`);
        for (const re of TELEMETRY) assert.ok(!re.test(code), `${path.relative(root, file)} matches ${re}: ${code.match(re)?.[0]}`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('package.json depends on no telemetry package', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    assert.deepStrictEqual(deps.filter((d) => TELEMETRY.some((re) => re.test(d))), []);
  });
});
