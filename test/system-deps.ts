import { spawnSync } from 'node:child_process';

/**
 * Whether a system program a test needs is on PATH. Missing: with CI=true the test fails (throws);
 * otherwise it is skipped with one line naming the apt package that provides it.
 */
export function requireSystemProgram(name: string, aptPackage: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (found) return true;
  const message = `${name} is not installed: apt-get install -y ${aptPackage}`;
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`skipping: ${message}\n`);
  return false;
}
