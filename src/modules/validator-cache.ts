/**
 * Argument validators compiled once, not on every run. Ajv compiles a schema by generating
 * JavaScript and evaluating it: about 100 ms for the dozen modules a playbook uses, a fifth of a
 * small no-op run. The generated code (Ajv's "standalone" output, plain CommonJS) is kept in a
 * directory beside the compiled registry, under a name derived from the schema text, Ajv's
 * version and the options; later runs load it with require(). Like __pycache__: a directory
 * that cannot be written only means compiling each time, and a changed schema gets a new name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ErrorObject, Options } from 'ajv';

const require = createRequire(import.meta.url);

export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Like Ansible's argument_spec, scalar strings are converted to the declared type ("30" -> 30). */
export const AJV_OPTIONS: Options = {
  allErrors: false,
  strict: false,
  useDefaults: false,
  coerceTypes: true,
};

export class ValidatorCache {
  private ajv: Ajv | undefined;
  private version: string | undefined;

  /** `dir` undefined: compile every time (e.g. when running from the TypeScript sources). */
  constructor(private readonly dir: string | undefined) {}

  /** The validator for a module's schema: from the cache, else compiled (and cached). */
  get(name: string, schemaText: string): Validator {
    const file = this.dir ? join(this.dir, `${name}-${this.key(schemaText)}.cjs`) : undefined;
    if (file && existsSync(file)) {
      try {
        return require(file) as Validator;
      } catch {
        // A damaged cache file: compile again and replace it.
      }
    }
    const ajv = this.compiler();
    const validate = ajv.compile(JSON.parse(schemaText) as object);
    if (file && this.dir) this.store(file, this.standalone(ajv, validate));
    return validate;
  }

  private key(schemaText: string): string {
    this.version ??= (require('ajv/package.json') as { version: string }).version;
    return createHash('sha256')
      .update(`${this.version}\n${JSON.stringify(AJV_OPTIONS)}\n${schemaText}`)
      .digest('hex')
      .slice(0, 24);
  }

  /** Loaded only on a cache miss: Ajv itself costs ~25 ms to load. */
  private compiler(): Ajv {
    if (!this.ajv) {
      const AjvClass = (require('ajv') as { Ajv: new (o: Options) => Ajv }).Ajv;
      this.ajv = new AjvClass({ ...AJV_OPTIONS, code: { source: true } });
    }
    return this.ajv;
  }

  private standalone(ajv: Ajv, validate: Validator): string {
    const generate = (require('ajv/dist/standalone') as { default: (a: Ajv, v: Validator) => string })
      .default;
    return generate(ajv, validate);
  }

  /** Atomic (temp file + rename), so a concurrent run never loads half a file; failures are ignored. */
  private store(file: string, code: string): void {
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir as string, { recursive: true });
      writeFileSync(temp, code, { mode: 0o644 });
      renameSync(temp, file);
    } catch {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Nothing was written.
      }
    }
  }
}
