/** A small repository: each file is about one thing, with some shared vocabulary as noise. */
export const FIXTURE: Record<string, string> = {
  'src/auth/login.ts': [
    '/** Checks a user name and password against the store. */',
    'export async function login(userName: string, password: string) {',
    '  const user = await findUser(userName);',
    '  if (!user || !verifyPassword(user, password)) throw new Error("invalid credentials");',
    '  return createSession(user);',
    '}',
  ].join('\n'),
  'src/auth/session.ts': 'export function createSession(user: User) {\n  return { token: randomToken(), user, expiresAt: Date.now() + SESSION_TTL_MS };\n}\n',
  'src/db/connection.ts': 'export class DatabaseConnection {\n  constructor(private readonly url: string) {}\n  async query(sql: string) {\n    return this.pool.query(sql);\n  }\n}\n',
  'src/http/retry.ts': 'export async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  // exponential backoff between attempts\n  for (let i = 0; ; i++) {\n    try { return await fn(); } catch (e) { if (i >= attempts) throw e; await sleep(2 ** i * 100); }\n  }\n}\n',
  'src/ui/theme.ts': 'export const darkTheme = { background: "#1e1e1e", foreground: "#d4d4d4" };\nexport function applyTheme(name: string) { document.body.dataset.theme = name; }\n',
  'docs/deploy.md': '# Deploying\n\nBuild the container image, push it to the registry, then roll out the deployment.\n\n## Rollback\n\nRe-deploy the previous image tag.\n',
  'README.md': '# Demo app\n\nA user logs in, the app queries the database, and retries failed HTTP calls.\n',
};
