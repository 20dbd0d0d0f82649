import * as assert from 'assert';
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function sources(dir: string): string[] {
  const abs = join(root, dir);
  if (!statSync(abs, { throwIfNoEntry: false })) return [];
  if (statSync(abs).isFile()) return [abs];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(abs, e.name)] : [],
  );
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]);

describe('architecture', () => {
  it('keeps src/core, the protocol and the webview free of the vscode API', () => {
    const offenders = [...sources('src/core'), ...sources('src/protocol.ts'), ...sources('webview-ui')]
      .filter((f) => importsOf(f).includes('vscode'))
      .map((f) => relative(root, f));
    assert.deepStrictEqual(offenders, []);
  });

  it('keeps Node built-ins out of the webview bundle', () => {
    const offenders = sources('webview-ui').filter((f) => importsOf(f).some((m) => m.startsWith('node:') || ['fs', 'path', 'child_process', 'http'].includes(m)));
    assert.deepStrictEqual(offenders.map((f) => relative(root, f)), []);
  });

  it('registers a handler for every command declared in package.json', () => {
    const code = sources('src/vscode').map((f) => readFileSync(f, 'utf8')).join('\n');
    const missing = pkg.contributes.commands.map((c: { command: string }) => c.command).filter((id: string) => !code.includes(`'${id}'`));
    assert.deepStrictEqual(missing, []);
  });

  it('reads every setting declared in package.json (no dead settings) and declares every setting it reads', () => {
    const code = sources('src/vscode').map((f) => readFileSync(f, 'utf8')).join('\n');
    const declared = Object.keys(pkg.contributes.configuration.properties);
    const unread = declared.filter((key) => !code.includes(`'${key.replace(/^foundryLab\./, '')}'`) && !code.includes(`'${key}'`));
    assert.deepStrictEqual(unread, []);
    for (const key of declared) assert.ok(pkg.contributes.configuration.properties[key].description || pkg.contributes.configuration.properties[key].markdownDescription, `${key} has no description`);
  });
});
