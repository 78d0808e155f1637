/**
 * After a CA changed, every certificate it signed that sits under pki_dir is
 * brought along in the same run: re-signed when it no longer verifies against
 * the CA (new key or subject), and its -chain/-ca_bundle files rebuilt.
 */
import path from 'node:path';
import { type CertInfo, isIssuedBy, parseCertificate } from '../../pki/inspect.js';
import { resignCertificate } from '../../pki/issue.js';
import { leafPaths, pkiDirs } from '../../pki/layout.js';
import { concatPem } from '../../pki/pem.js';
import type { PlanContext } from '../types.js';
import { type CaOutcome, CLOCK_SKEW_MS } from './authority-files.js';
import { listDir, readAll, type StepList } from './common.js';
import { type IssuedRecord, issuedRecord } from './issued.js';
import type { Settings } from './settings.js';

export interface RechainResult {
  resigned: string[];
  rechained: string[];
  /** The re-signed certificates, for the security event log. */
  issued: IssuedRecord[];
}

export async function rechainLeaves(
  ctx: PlanContext,
  pkiDir: string,
  changed: readonly CaOutcome[],
  steps: StepList,
  settings: Settings,
  now: Date,
): Promise<RechainResult> {
  const result: RechainResult = { resigned: [], rechained: [], issued: [] };
  if (changed.length === 0) return result;
  const names = (await listDir(ctx.controller, pkiDirs(pkiDir).certsPrivate))
    .filter((f) => f.endsWith('.key.pem'))
    .map((f) => f.slice(0, -'.key.pem'.length))
    .sort();
  const files = await readAll(
    ctx.controller,
    names.flatMap((n) => {
      const p = leafPaths(pkiDir, n);
      return [p.cert, p.chain, p.caBundle];
    }),
  );
  // Signing runs in parallel; steps are emitted afterwards in name order so plans read the same every time.
  const work = names.map(async (name): Promise<((s: StepList) => void) | undefined> => {
    const p = leafPaths(pkiDir, name);
    const bytes = files.get(p.cert);
    if (!bytes) return undefined;
    let leaf: CertInfo;
    try {
      leaf = parseCertificate(bytes, p.cert);
    } catch {
      return undefined; // not ours to judge here; pki_certificates reports it when the entry is planned
    }
    const ca = changed.find((c) => (c.oldCert && isIssuedBy(leaf, c.oldCert)) || isIssuedBy(leaf, c.cert));
    if (!ca) return undefined;
    const resign = !isIssuedBy(leaf, ca.cert);
    const resigned = resign
      ? await resignCertificate(
          leaf,
          { subjectDer: ca.cert.subjectDer, privateKey: ca.key },
          new Date(now.getTime() - CLOCK_SKEW_MS),
        )
      : undefined;
    const certBytes = resigned ? Buffer.from(resigned.pem) : bytes;
    const chain = concatPem([certBytes, ca.certBytes]);
    const before = files.get(p.chain) ?? null;
    const bundleBefore = files.get(p.caBundle) ?? null;
    return (s) => {
      const why = `CA ${ca.name} changed`;
      if (resigned) {
        s.write(p.cert, certBytes, bytes, settings.certMode, false, `re-sign ${name}: ${why}`);
        result.resigned.push(name);
        result.issued.push(issuedRecord('certificate', name, resigned, 'resigned', why));
      }
      let rechained = false;
      if (!before?.equals(chain)) {
        s.write(
          p.chain,
          chain,
          before,
          settings.certMode,
          false,
          `rebuild ${path.basename(p.chain)}: ${why}`,
        );
        rechained = true;
      }
      if (!bundleBefore?.equals(ca.chainBytes)) {
        s.write(
          p.caBundle,
          ca.chainBytes,
          bundleBefore,
          settings.certMode,
          false,
          `rebuild ${path.basename(p.caBundle)}: ${why}`,
        );
        rechained = true;
      }
      if (rechained && !resign) result.rechained.push(name);
    };
  });
  for (const emit of await Promise.all(work)) emit?.(steps);
  return result;
}
