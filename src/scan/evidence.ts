import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** A file a scan writes (report, checkpoint, summary, manifest, share file), named for messages. */
export interface OutputPath {
  readonly what: string;
  readonly path: string;
}

/**
 * Where a path really is: the real path of its nearest existing ancestor (symbolic links
 * resolved, including a link at the path itself) joined with the part that does not exist yet.
 */
export function realLocation(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const parent = dirname(p);
      if (parent === p) return join(p, ...rest.reverse());
      rest.push(basename(p));
      p = parent;
    }
  }
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Evidence is never written to: refuse any output file that lies inside (or is) a scanned
 * input, after resolving symbolic links on both sides. Inputs that do not exist are skipped
 * (the scan reports them as errors); paths read from stdin cannot be checked ahead.
 */
export function refuseOutputsInsideInputs(outputs: readonly OutputPath[], inputs: readonly string[]): void {
  const roots = inputs.filter((i) => i !== '-').map(realLocation);
  for (const o of outputs) {
    const at = realLocation(o.path);
    const root = roots.find((r) => within(at, r));
    if (root !== undefined) {
      throw new UsageError(
        `The ${o.what} ${o.path} would be written inside the scanned tree ${root}; evidence is never written to, so write it outside`,
      );
    }
  }
}
