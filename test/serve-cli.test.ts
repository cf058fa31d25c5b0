import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { importHashes, tempDb } from './serve-helpers.js';

const BIN = fileURLToPath(new URL('../bin/hashsieve.js', import.meta.url));
const H1 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('hashsieve token and serve (built binary)', () => {
  test('token create prints the secret once; ls never shows it; revoke', () => {
    const { db } = tempDb();
    const made = run('token', 'create', 'ci', '--scopes', 'lookup,curate', '--db', db);
    expect(made.status).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^hsv_[A-Za-z0-9_-]{43}$/);
    const ls = run('token', 'ls', '--db', db);
    expect(ls.stdout).toContain('lookup,curate');
    expect(ls.stdout).not.toContain(secret);
    expect(run('token', 'create', 'ci', '--db', db).status).toBe(2);
    expect(run('token', 'create', 'x', '--scopes', 'admin', '--db', db).status).toBe(2);
    expect(run('token', 'revoke', 'ci', '--db', db).status).toBe(0);
    expect(run('token', 'revoke', 'ci', '--db', db).status).toBe(2);
  });

  test('serve: --no-auth needs a loopback host; listens, answers, stops on SIGTERM', async () => {
    const { db } = tempDb();
    await importHashes(db, 'L', 'pdq', [H1]);
    const refused = run('serve', '--db', db, '--host', '0.0.0.0', '--port', '0', '--no-auth');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('loopback');
    const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0', '--workers', '1', '--log-level', 'silent', '--no-auth']);
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        err += d;
        const m = /listening on (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', () => reject(new Error(err)));
    });
    let body: any;
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${url}/m/raw_lookup?signal=${H1}&signal_type=pdq`);
      if (r.status === 200) {
        body = await r.json();
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(body.matches).toHaveLength(1);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
