import os from 'node:os';
import { VERSION } from '../version.js';

/** The machine and software a bench ran on, recorded in every result. */
export interface Environment {
  readonly hashsieve: string;
  readonly node: string;
  /** null when sharp could not be loaded. */
  readonly sharp: string | null;
  readonly libvips: string | null;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  /** Logical cores Node may use (os.availableParallelism). */
  readonly cores: number;
  /** 1, 5 and 15-minute load averages when the run started (zeros on Windows). */
  readonly loadAverage: readonly number[];
  readonly totalMemoryBytes: number;
}

async function sharpVersions(): Promise<{ sharp: string | null; libvips: string | null }> {
  try {
    const sharp = (await import('sharp')).default;
    const v = sharp.versions as Record<string, string | undefined>;
    return { sharp: v.sharp ?? null, libvips: v.vips ?? null };
  } catch {
    return { sharp: null, libvips: null };
  }
}

export async function captureEnvironment(): Promise<Environment> {
  const loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const cpus = os.cpus();
  return {
    hashsieve: VERSION,
    node: process.version,
    ...(await sharpVersions()),
    platform: os.platform(),
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    loadAverage,
    totalMemoryBytes: os.totalmem(),
  };
}
