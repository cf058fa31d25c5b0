import { spawnSync } from 'node:child_process';

/**
 * Whether a system program is on PATH. Missing: with CI=true the calling test fails; otherwise it
 * skips with one line naming the package to install.
 */
export function requireSystemProgram(name: string, aptPackage: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
  if (found) return true;
  const line = `${name} is missing: apt-get install -y ${aptPackage}`;
  if (process.env.CI === 'true') throw new Error(line);
  console.warn(`skipped: ${line}`);
  return false;
}
