import type { DecodeLimits } from '../image/decode.js';
import type { HashOptions } from '../signals/types.js';

/** What the main thread sends a worker for one file: plain data, cloned cheaply. */
export interface HashTask {
  readonly path: string;
  /** Signal names (objects with functions cannot cross threads; the worker looks them up). */
  readonly signals: readonly string[];
  readonly options: HashOptions;
  /** Overrides of the decoder's default limits. */
  readonly limits: Partial<DecodeLimits>;
}
