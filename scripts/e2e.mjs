// The in-editor tests: out/test/e2e/run.js does the work (prerequisites, emulator, code-server, mocha, teardown);
// see its header. This wrapper exists so that `npm test` and people have one stable name for it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './steps.mjs';

const r = spawnSync(process.execPath, [join(root, 'out', 'test', 'e2e', 'run.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
