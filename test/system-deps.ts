/**
 * Tests that need a system program call requireSystemProgram first: with CI=true a missing
 * program fails the test run; otherwise the suite is skipped with one line naming the package.
 */
import { spawnSync } from 'node:child_process';

/** True when `name` runs (`name -version` or `--version` exits 0). */
function available(name: string): boolean {
  for (const flag of ['-version', '--version']) {
    const r = spawnSync(name, [flag], { stdio: 'ignore' });
    if (!r.error && r.status === 0) return true;
  }
  return false;
}

/**
 * Whether the program is present. Missing: throws under CI=true, else prints one line naming
 * `apt-get install -y <aptPackage>` and returns false (use with describe.skipIf(!ok)).
 */
export function requireSystemProgram(name: string, aptPackage: string): boolean {
  if (available(name)) return true;
  const line = `${name} not found: install it with \`apt-get install -y ${aptPackage}\``;
  if (process.env.CI === 'true') throw new Error(`${line} (required with CI=true)`);
  console.warn(`skipping: ${line}`);
  return false;
}
