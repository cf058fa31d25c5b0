import { spawnSync } from 'node:child_process';

/**
 * Whether a system program a test needs is installed. Missing: with CI=true the test run fails
 * (throws); otherwise one line names the apt package and the caller skips its tests.
 */
export function requireSystemProgram(name: string, aptPackage: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  const message = `${name} is not installed; install it with: apt-get install -y ${aptPackage}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`SKIPPED (${message})`);
  return false;
}
