// PLACEHOLDER — the command 'bench' is being built; it registers nothing yet.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(_program: Command, _ctx: CliContext): void {}
