import { OvnctlError } from '../errors.js';
import type { Reporter } from '../report/events.js';
import { JsonLinesReporter, JsonReporter } from '../report/json.js';
import { PlainReporter } from '../report/plain.js';

export interface OutputTarget {
  write: (text: string) => void;
  isTTY: boolean;
}

/** json/jsonl when asked; listr2 on an interactive terminal; plain lines otherwise (CI, pipes). */
export async function chooseReporter(
  output: string | undefined,
  out: OutputTarget,
  env: NodeJS.ProcessEnv,
  verbosity: number,
): Promise<Reporter> {
  switch (output ?? 'text') {
    case 'json':
      return new JsonReporter(out.write);
    case 'jsonl':
      return new JsonLinesReporter(out.write);
    case 'text': {
      const interactive = out.isTTY && !env.CI && env.TERM !== 'dumb';
      if (interactive && verbosity === 0)
        return new (await import('../report/listr.js')).ListrReporter(out.write);
      return new PlainReporter({ write: out.write, verbosity, color: out.isTTY && !env.NO_COLOR });
    }
    default:
      throw new OvnctlError('usage', `--output must be text, json or jsonl (got '${output}')`);
  }
}
