import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Ask on the terminal without echoing what is typed (for key passphrases). */
export function promptHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

/** One answer per run, however many connections need it. */
export function askOnce(question: string): () => Promise<string> {
  let answer: Promise<string> | undefined;
  return () => {
    answer ??= promptHidden(question);
    return answer;
  };
}
