import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { SudoGate } from '../../../src/transport/ssh/become.js';
import { ConnectionLimiter } from '../../../src/transport/ssh/limiter.js';

const markers = { success: 'OK-MARK', prompt: '[prompt-x] ' };

function gate(password?: string) {
  const written: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let closed = false;
  const g = new SudoGate(
    'infra1',
    'root',
    markers,
    { write: (d) => written.push(String(d)), close: () => (closed = true) },
    password,
    { stdout: (d) => out.push(d.toString()), stderr: (d) => err.push(d.toString()) },
  );
  return { g, written, out, err, isClosed: () => closed };
}

describe('SudoGate', () => {
  it('answers the prompt once, then forwards output after the marker only', async () => {
    const t = gate('s3cret');
    t.g.onStderr(Buffer.from('[prompt-'));
    t.g.onStderr(Buffer.from('x] '));
    expect(t.written).toEqual(['s3cret\n']);
    t.g.onStdout(Buffer.from('OK-M'));
    t.g.onStdout(Buffer.from('ARK\nhello'));
    await t.g.ready;
    t.g.onStdout(Buffer.from(' world'));
    expect(t.out.join('')).toBe('hello world');
    expect(t.err.join('')).toBe('');
  });

  it('fails without a password, with a hint, and closes the channel', async () => {
    const t = gate(undefined);
    t.g.onStderr(Buffer.from('[prompt-x] '));
    const e = await t.g.ready.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OvnctlError);
    expect((e as OvnctlError).message).toBe('infra1: become (sudo -u root) failed: sudo asks for a password');
    expect((e as OvnctlError).hint).toMatch(/become_password/);
    expect(t.isClosed()).toBe(true);
  });

  it('reports a rejected password without repeating it', async () => {
    const t = gate('hunter2');
    t.g.onStderr(Buffer.from('[prompt-x] '));
    t.g.onStderr(Buffer.from('Sorry, try again.\n[prompt-x] '));
    const e = (await t.g.ready.catch((x: unknown) => x)) as OvnctlError;
    expect(e.message).toMatch(/rejected the become password/);
    expect(e.message).not.toContain('hunter2');
    expect(t.written).toEqual(['hunter2\n']);
  });

  it("passes on sudo's own refusal when the channel closes before the marker", async () => {
    const t = gate(undefined);
    t.g.onStderr(Buffer.from('sudo: a password is required\n'));
    t.g.onClose();
    await expect(t.g.ready).rejects.toThrow(
      'infra1: become (sudo -u root) failed: sudo refused: sudo: a password is required',
    );
  });
});

describe('ConnectionLimiter', () => {
  it('never runs more than its limit at once and runs everything', async () => {
    const limiter = new ConnectionLimiter(3);
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limiter.run(async () => {
          peak = Math.max(peak, limiter.running);
          await new Promise((r) => setTimeout(r, 2));
          return i;
        }),
      ),
    );
    expect(results).toEqual([...Array(10).keys()]);
    expect(peak).toBe(3);
    expect(limiter.running).toBe(0);
  });

  it('frees the slot when a job fails', async () => {
    const limiter = new ConnectionLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await limiter.run(async () => 'ok')).toBe('ok');
  });
});
