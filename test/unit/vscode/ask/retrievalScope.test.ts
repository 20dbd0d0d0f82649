import * as assert from 'assert';
import * as path from 'path';
import { resolveScope } from '../../../../src/vscode/ask/retrievalScope';

const r = (p: string) => path.resolve('/ws', p);
const ONE = [{ name: 'app', root: r('app') }];
const TWO = [
  { name: 'api', root: r('api') },
  { name: 'web', root: r('web') },
];
const obj = (m: Map<string, string[]> | undefined) => m && Object.fromEntries(m);

describe('vscode/ask/retrievalScope', () => {
  it('no scope: every folder, everything', () => {
    assert.strictEqual(resolveScope(undefined, TWO), undefined);
    assert.strictEqual(resolveScope([' ', ''], TWO), undefined);
  });

  it('single root: entries are relative to the folder (./, trailing slashes and backslashes tolerated)', () => {
    assert.deepStrictEqual(obj(resolveScope(['src/auth/', './docs', 'a\\b.ts'], ONE)), { [r('app')]: ['src/auth', 'docs', 'a/b.ts'] });
    assert.deepStrictEqual(obj(resolveScope(['.'], ONE)), { [r('app')]: [] });
  });

  it('multi-root: the first segment names the folder; a bare name is the whole folder; other entries apply to all', () => {
    assert.deepStrictEqual(obj(resolveScope(['api/src/auth', 'api/README.md'], TWO)), { [r('api')]: ['src/auth', 'README.md'] });
    assert.deepStrictEqual(obj(resolveScope(['web', 'web/src'], TWO)), { [r('web')]: [] });
    assert.deepStrictEqual(obj(resolveScope(['src'], TWO)), { [r('api')]: ['src'], [r('web')]: ['src'] });
  });

  it('absolute paths land in the folder that contains them; outside every folder they match nothing', () => {
    assert.deepStrictEqual(obj(resolveScope([path.join(r('web'), 'src', 'x.ts')], TWO)), { [r('web')]: ['src/x.ts'] });
    assert.deepStrictEqual(obj(resolveScope([r('elsewhere/x.ts')], TWO)), {});
  });
});
