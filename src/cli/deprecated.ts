import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';

/**
 * Keep an old spelling of `target` working, hidden from help and completion: its value goes to
 * `target` and one deprecation line goes to stderr; giving both is a usage error.
 */
export function deprecatedAlias(cmd: Command, ctx: CliContext, flags: string, target: string): Command {
  const alias = new Option(flags).hideHelp();
  const to = cmd.options.find((o) => o.long === target);
  if (!to) throw new Error(`deprecatedAlias: ${cmd.name()} has no ${target}`);
  cmd.addOption(alias);
  return cmd.hook('preAction', (c) => {
    const value: unknown = c.getOptionValue(alias.attributeName());
    if (value === undefined) return;
    if (c.getOptionValueSource(to.attributeName()) === 'cli') {
      throw new UsageError(`Give ${target} only (${alias.long} is its deprecated old name)`);
    }
    ctx.stderr.write(`hashsieve: ${alias.long} is deprecated; use ${target}\n`);
    c.setOptionValueWithSource(to.attributeName(), value, 'cli');
  });
}
