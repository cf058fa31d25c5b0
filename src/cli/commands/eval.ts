import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { deprecatedAlias } from '../deprecated.js';

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('eval')
    .description(
      'Measure what each perceptual signal survives (true-positive rate per transform) and its false-positive rate over unrelated pairs, on seeded synthetic images',
    )
    .option('--quick', 'a small run for CI (seconds instead of minutes)')
    .option('--seed <S>', 'seed for every source and transform (default 1)')
    .option('--signals <LIST>', 'perceptual signals to evaluate, comma-separated (default all)')
    .option('--sources <N>', 'unrelated sources, compared all-pairs (default 1500, quick 60)')
    .option('--transformed <N>', 'of those, how many go through every transform (default 60, quick 3)')
    .option('--workers <N>', 'images hashed at once; does not change results (default 2)')
    .option('--json', 'print the full result as JSON on stdout instead of the summary')
    .option('--save <FILE>', 'also write the full result as JSON to FILE (byte-identical for a seed, apart from "timing")')
    .option('--svg-dir <DIR>', 'write one histogram SVG per signal and transforms.svg (the heat table) here')
    .option('--video', 'evaluate vPDQ video matching instead, on synthetic videos made with ffmpeg (--quick, --seed, --sources, --transformed, --json apply)')
    .addHelpText('after', '\nExit codes: 0 done, 2 usage or fatal error.')
    .action(async (flags) => {
      if (flags.video) {
        const { runVideoEvalCommand } = await import('../run/eval-video.js');
        await runVideoEvalCommand(flags, ctx);
        return;
      }
      const { runEvalCommand } = await import('../run/eval.js');
      await runEvalCommand(flags, ctx);
    });
  deprecatedAlias(cmd, ctx, '--concurrency <N>', '--workers');
}
