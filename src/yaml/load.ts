import {
  constructFromEvents,
  defineScalarTag,
  EVENT_ID,
  type Event,
  getScalarValue,
  NOT_RESOLVED,
  parseEvents,
  YAML11_SCHEMA,
  YAMLException,
} from 'js-yaml';
import { OvnctlError, type SourceLocation } from '../errors.js';
import { UnsafeText, VaultedValue } from './tags.js';

/** A path into a loaded document: keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A parsed YAML document that can say where each of its nodes was written. */
export interface YamlDocument {
  file: string;
  value: unknown;
  /** Location of the node at `path` (or of its nearest ancestor that exists). */
  locate(path: YamlPath): SourceLocation;
}

const vaultTag = defineScalarTag('!vault', {
  resolve: (source) => new VaultedValue(source),
  identify: (data) => data instanceof VaultedValue,
  represent: (data: VaultedValue) => data.envelope,
});
const unsafeTag = defineScalarTag('!unsafe', {
  resolve: (source) => new UnsafeText(source),
  identify: (data) => data instanceof UnsafeText,
  represent: (data: UnsafeText) => data.text,
});

// PyYAML's YAML 1.1 booleans: yes/no/on/off/true/false in three casings, but not y/n.
const PYYAML_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const boolTag = defineScalarTag('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O'],
  resolve: (source) => (PYYAML_BOOL.test(source) ? /^(?:yes|true|on)$/i.test(source) : NOT_RESOLVED),
  identify: (data) => typeof data === 'boolean',
  represent: (data: boolean) => (data ? 'true' : 'false'),
});

// Ansible reads YAML as PyYAML does (YAML 1.1), plus its own !vault and !unsafe tags.
const ANSIBLE_SCHEMA = YAML11_SCHEMA.withTags(boolTag, vaultTag, unsafeTag);

export function pathKey(path: YamlPath): string {
  let s = '';
  for (const p of path) {
    // An empty key, or one with path punctuation, is quoted so it never collides with another path.
    if (typeof p === 'number') s += `[${p}]`;
    else if (p === '' || /[.[\]"]/.test(p)) s += `[${JSON.stringify(p)}]`;
    else s += s === '' ? p : `.${p}`;
  }
  return s;
}

/** Offset of the first node of the second document, for the "several documents" error. */
function secondDocumentOffset(events: Event[]): number {
  let docs = 0;
  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) docs++;
    else if (docs >= 2 && eventStart(e) >= 0) return eventStart(e);
  }
  return -1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetToLineCol(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}

function eventStart(e: Event): number {
  switch (e.type) {
    case EVENT_ID.SCALAR:
      return e.tagStart >= 0 ? e.tagStart : e.anchorStart >= 0 ? e.anchorStart : e.valueStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.start;
    case EVENT_ID.ALIAS:
      return e.anchorStart;
    default:
      return -1;
  }
}

interface Frame {
  kind: 'map' | 'seq';
  path: (string | number)[];
  index: number;
  pendingKey: string | null;
  expectKey: boolean;
}

/** Walk the event stream once and record the source offset of every node by its path. */
function indexPositions(source: string, events: Event[]): Map<string, number> {
  const positions = new Map<string, number>();
  const stack: Frame[] = [];
  const childPath = (): (string | number)[] | null => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    if (top.kind === 'seq') return [...top.path, top.index++];
    if (top.expectKey) return null;
    return [...top.path, top.pendingKey ?? ''];
  };
  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) continue;
    if (e.type === EVENT_ID.POP) {
      const top = stack[stack.length - 1];
      if (top) {
        stack.pop();
        const parent = stack[stack.length - 1];
        if (parent?.kind === 'map') parent.expectKey = true;
      }
      continue;
    }
    const top = stack[stack.length - 1];
    const isKey = top?.kind === 'map' && top.expectKey;
    if (isKey && top) {
      top.pendingKey = e.type === EVENT_ID.SCALAR ? getScalarValue(source, e) : '?';
      top.expectKey = false;
      // Point a key's path at the key itself: errors about a key read best there.
      positions.set(pathKey([...top.path, top.pendingKey]), eventStart(e));
      if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
        stack.push({
          kind: e.type === EVENT_ID.MAPPING ? 'map' : 'seq',
          path: [...top.path, '?'],
          index: 0,
          pendingKey: null,
          expectKey: true,
        });
      }
      continue;
    }
    const path = childPath() ?? [];
    const key = pathKey(path);
    if (!positions.has(key)) positions.set(key, eventStart(e));
    if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
      stack.push({
        kind: e.type === EVENT_ID.MAPPING ? 'map' : 'seq',
        path,
        index: 0,
        pendingKey: null,
        expectKey: true,
      });
    } else if (top?.kind === 'map') {
      top.expectKey = true;
    }
  }
  return positions;
}

/** Parse YAML text; errors carry file, line and column. */
export function parseYaml(source: string, file: string): YamlDocument {
  let events: Event[];
  let value: unknown;
  try {
    events = parseEvents(source, { filename: file });
    const docs = constructFromEvents(events, { source, filename: file, schema: ANSIBLE_SCHEMA });
    if (docs.length > 1) {
      const at = secondDocumentOffset(events);
      const location = at >= 0 ? { file, ...offsetToLineCol(lineStarts(source), at) } : { file };
      throw new OvnctlError('yaml', 'expected a single YAML document, found several', { location });
    }
    value = docs[0] ?? null;
  } catch (e) {
    if (e instanceof OvnctlError) throw e;
    if (e instanceof YAMLException) {
      const mark = e.mark;
      const loc: SourceLocation = { file };
      if (mark) {
        loc.line = mark.line + 1;
        loc.column = mark.column + 1;
      }
      throw new OvnctlError('yaml', `invalid YAML: ${e.reason}`, { location: loc });
    }
    throw new OvnctlError('yaml', `invalid YAML: ${String(e)}`, { location: { file } });
  }
  const starts = lineStarts(source);
  let positions: Map<string, number> | undefined;
  return {
    file,
    value,
    locate(path) {
      positions ??= indexPositions(source, events);
      for (let n = path.length; n >= 0; n--) {
        const off = positions.get(pathKey(path.slice(0, n)));
        if (off !== undefined && off >= 0)
          return { file, ...offsetToLineCol(starts, off), key: pathKey(path) };
      }
      return { file, line: 1, column: 1, key: pathKey(path) };
    },
  };
}
