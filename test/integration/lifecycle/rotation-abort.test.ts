/**
 * `ovnctl certificates regenerate-ca --abort` on two rig hosts with haproxy and RabbitMQ: a
 * rotation stopped right after stage 1 (every host trusts the old and the new CA) is abandoned.
 * Afterwards every TLS endpoint serves the certificate it served before, trusted by the old root
 * alone, the CA files the hosts hand out hold the old chain only, the state says aborted, and a
 * fresh regenerate-ca runs to completion.
 *
 * The stop is injected in promote: a state file whose recorded serials do not match the CAs makes
 * promote refuse ("changed since the rotation started") after stage 1 has run everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  newState,
  type RotationState,
  readState,
  writeState,
} from '../../../src/lifecycle/rotation-state.js';
import { serialOf, verify } from './probe.js';
import { readLog } from './security-log.js';
import { caFileSerials as caFileSerialsOf, type Fleet, startFleet } from './setup.js';

let fleet: Fleet;
const ROOT = 'ExampleCorpRoot';
const INT = 'ExampleCorpIntermediate';

const caFile = (name: string) => fleet.pki('roots', name, 'certs', `${name}.crt`);
const state = (): RotationState | null => readState(fleet.dir);

const caFileSerials = () => caFileSerialsOf(fleet);

/** What each endpoint serves, judged against the given roots only. */
const served = (roots: readonly Buffer[]) => Promise.all(fleet.endpoints.map((e) => verify(e, roots)));

beforeAll(async () => {
  fleet = await startFleet({ baseOctet: 150, namePrefix: 'abt', rabbitPort: 42410 });
  for (const playbook of ['haproxy-install.yml', 'rabbitmq-install.yml']) {
    const r = await fleet.ovnctl(['run', playbook]);
    if (r.code !== 0) throw new Error(`${playbook} failed:\n${r.stdout}\n${r.stderr}`);
  }
}, 300_000);

afterAll(async () => {
  await fleet?.cleanup();
});

describe('ovnctl certificates regenerate-ca --abort on rig hosts with haproxy and RabbitMQ', () => {
  it('after stage 1, abort gives every host the old CA only, endpoints keep their old-CA certificate, and a new rotation completes', async () => {
    const oldRoot = readFileSync(caFile(ROOT));
    const oldChain = [serialOf(readFileSync(caFile(INT))), serialOf(oldRoot)];
    const before = await served([oldRoot]);
    expect(before.map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    expect(before.every((v) => typeof v.serial === 'string')).toBe(true);
    const filesBefore = caFileSerials();
    for (const serials of filesBefore) expect(serials).toEqual(oldChain);

    writeState(fleet.dir, {
      ...newState('regenerate-ca', '', undefined),
      old_serials: { [ROOT]: 'injected', [INT]: 'injected' },
    });
    const stopped = await fleet.ovnctl(['certificates', 'regenerate-ca'], 300_000);
    expect(stopped.code, `${stopped.stdout}\n${stopped.stderr}`).toBe(2);
    expect(stopped.stdout).toContain('stopped at promote (PKI store)');
    const mid = state();
    expect(mid?.next).toBe('promote');
    for (const h of fleet.names) expect(mid?.hosts[h]).toEqual({ trust: 'ok' });
    const staged = [mid?.new_serials[INT], mid?.new_serials[ROOT]];
    expect(staged.every((s) => typeof s === 'string' && !oldChain.includes(s))).toBe(true);
    // Stage 1 reached every host: the CA files they hand out hold the new CAs next to the old ones.
    for (const serials of caFileSerials())
      expect(serials).toEqual(expect.arrayContaining([...oldChain, ...staged]));

    const mark = readLog(fleet.dir).length;
    const r = await fleet.ovnctl(['certificates', 'regenerate-ca', '--abort'], 300_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);

    // Every endpoint serves the very certificate it served before, verified with the old root alone.
    const after = await served([oldRoot]);
    expect(after.map((v) => [v.ok, v.serial])).toEqual(before.map((v) => [true, v.serial]));
    // The CA files on the hosts are back to the old chain: the new CAs are gone from them.
    expect(caFileSerials()).toEqual(filesBefore);
    // The PKI store: the current CA untouched, staged CA and trust bundles removed, no backup made.
    expect(readFileSync(caFile(ROOT)).equals(oldRoot)).toBe(true);
    for (const ca of [ROOT, INT]) {
      expect(existsSync(fleet.pki('roots', ca, 'next')), ca).toBe(false);
      expect(existsSync(fleet.pki('roots', ca, 'certs', `${ca}-trust.crt`)), ca).toBe(false);
    }
    const end = state();
    expect(end).toMatchObject({ id: mid?.id, next: 'done' });
    expect(end?.aborted).toEqual(expect.any(String));
    expect(end?.aborting).toBeUndefined();
    for (const h of fleet.names) expect(end?.hosts[h]).toEqual({ trust: 'ok', abort: 'ok' });
    expect(
      readLog(fleet.dir)
        .slice(mark)
        .filter((e) => e.category === 'AUTHZ'),
    ).toEqual([
      expect.objectContaining({
        event: 'authz_admin',
        action: 'abort_ca_rotation',
        ca: ROOT,
        rotation: mid?.id,
        command: 'certificates regenerate-ca --abort',
      }),
    ]);
    const list = await fleet.ovnctl(['certificates', 'list']);
    expect(list.stdout).toContain(`CA rotation ${mid?.id} (regenerate-ca) of ${ROOT}`);
    expect(list.stdout).toMatch(/: aborted \S+, before its new CA was promoted: the old CA stays current/);

    // A fresh rotation starts over (new id, a new CA, not the abandoned one) and runs to the end.
    const fresh = await fleet.ovnctl(['certificates', 'regenerate-ca'], 300_000);
    expect(fresh.code, `${fresh.stdout}\n${fresh.stderr}`).toBe(0);
    const done = state();
    expect(done?.id).not.toBe(mid?.id);
    expect(done?.next).toBe('done');
    expect(done?.aborted).toBeUndefined();
    const newRoot = readFileSync(caFile(ROOT));
    expect([serialOf(oldRoot), mid?.new_serials[ROOT]]).not.toContain(serialOf(newRoot));
    expect((await served([newRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    expect((await served([oldRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => false));
  }, 900_000);
});
