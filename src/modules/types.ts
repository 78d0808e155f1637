import type { ExecOptions, ExecResult, FileStat } from '../transport/types.js';
import type { VaultedValue } from '../yaml/tags.js';

/**
 * A module only plans: it reads facts and returns the steps still needed.
 * The engine applies them (or only reports them in check mode), renders diffs,
 * and counts the task `changed` when any step is returned.
 */

/** Read-only view of a host used while planning. */
export interface Facts {
  readonly host: string;
  stat(path: string): Promise<FileStat | null>;
  read(path: string): Promise<Buffer | null>;
  sha256(paths: readonly string[]): Promise<Map<string, string | null>>;
  /** For read-only queries only (e.g. `ovn-nbctl get-ssl`); never to change state. */
  query(command: string, options?: ExecOptions): Promise<ExecResult>;
  lookupId(kind: 'user' | 'group', name: string): Promise<number | null>;
}

interface StepBase {
  /** Human reason, shown in check mode and -v output ("would reissue haproxy_infra1: SAN changed"). */
  why: string;
}

export interface Ownership {
  owner?: string;
  group?: string;
}

export type Step =
  | (StepBase & Ownership & { kind: 'mkdir'; path: string; mode: number })
  | (StepBase &
      Ownership & {
        kind: 'write';
        path: string;
        mode: number;
        content: Buffer;
        /** Current content, for --diff; null when the file does not exist. */
        before: Buffer | null;
        /** Never diffed, never printed (private keys, bundles holding keys). */
        sensitive: boolean;
      })
  | (StepBase & Ownership & { kind: 'attributes'; path: string; mode?: number })
  | (StepBase & { kind: 'remove'; path: string })
  | (StepBase & {
      kind: 'exec';
      command: string;
      stdin?: string | Buffer;
      /** A non-zero exit fails the task unless this is true. */
      allowFailure?: boolean;
      /** Do not print the command (it carries a secret). */
      sensitive?: boolean;
      /** Scratch paths the command creates and renames away (cleaned up after a forced exit). */
      tempPaths?: readonly string[];
    });

export interface Plan {
  /** Steps on the task's target host. */
  steps: Step[];
  /** Steps on the controller (the PKI setup host), applied before `steps`. */
  controllerSteps?: Step[];
  /** Data registered with `register:` and shown with -v (merged with exec results). */
  result?: Record<string, unknown>;
  /** Variables set for the host (set_fact). */
  facts?: Record<string, unknown>;
  /** The task fails with this message (assert, fail, invalid material). */
  failed?: string;
  /** The task is skipped with this reason (e.g. command in check mode). */
  skipped?: string;
  /** A message for the output (debug). */
  msg?: string;
  warnings?: string[];
}

export interface PlanContext {
  /** Inventory name of the host the task is for. */
  readonly host: string;
  /** The task's target (after delegate_to). */
  readonly target: Facts;
  /** The controller / PKI setup host (always local). */
  readonly controller: Facts;
  /** The host's fully merged and templated variables. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly check: boolean;
  readonly now: () => Date;
  /** The directory holding the user's config (user_*.yml); relative PKI paths resolve against it. */
  readonly configDir: string;
  /** Register a value that must never appear in output (redacted everywhere). */
  secret(value: string): void;
  /** Decrypts a `!vault` value met while a module templates (template, debug, assert). */
  readonly decryptVault?: (value: VaultedValue) => string;
}

export interface ModuleDefinition<P = Record<string, unknown>> {
  /** Short name; `ansible.builtin.<name>` and `ovnctl.<name>` resolve to it. */
  name: string;
  /** JSON schema of the arguments (file under schemas/modules/), checked before any host is contacted. */
  schema: string;
  /** Modules that take a free-form string (command, shell) receive it as `params.cmd`. */
  freeForm?: boolean;
  /** Argument names whose values are secrets (redacted from output and errors). */
  secretArgs?: readonly string[];
  plan(params: P, ctx: PlanContext): Promise<Plan>;
}

/** Identity helper that keeps each module's parameter type. */
export function defineModule<P>(definition: ModuleDefinition<P>): ModuleDefinition<P> {
  return definition;
}
