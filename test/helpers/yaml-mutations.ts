import fc from 'fast-check';

/** Seeds the fuzzers mutate: small but real examples of each kind of input ovnctl reads. */
export const SEED_INVENTORY = `all:
  vars:
    ntp_server: pool.example.com
  children:
    web:
      hosts:
        web[1:2]:
          ansible_host: 127.0.2.250
          ansible_port: 2299
      vars:
        port: 8443
    db:
      children:
        web:
      hosts:
        db1: {ansible_host: 127.0.2.250, ansible_port: 2299, ansible_user: root}
`;

export const SEED_PLAYBOOK = `- name: seed play
  hosts: all
  gather_facts: false
  vars:
    greeting: hello
  tasks:
    - name: write a file
      copy: {dest: /nonexistent/ovnctl-fuzz/x, content: "{{ greeting }}", mode: "0644"}
      notify: reload
      tags: [cfg]
      when: greeting is defined
    - block:
        - debug: {msg: hi}
      rescue:
        - fail: {msg: nope}
  handlers:
    - name: reload
      service: {name: x, state: reloaded}
`;

export const SEED_USER_VARS = `greeting: from the user file
user_pki_certificates_web:
  - name: web
    cn: web.example.com
    san: {dns: [web.example.com], ip: [10.0.0.1]}
numbers: [1, 2, {a: b}]
`;

export const SEED_EXTRA_VARS = ['a=b c="d e"', '{"greeting": "hi", "n": [1, 2]}', '{x: [1, {y: z}]}', 'x=1'];

/** Pieces of YAML (and Ansible) syntax: mutations built from them reach the parsers' corners. */
const TOKENS = [
  ':',
  ': ',
  '-',
  '- ',
  ' ',
  '  ',
  '\n',
  '\t',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '|',
  '>',
  '?',
  '&a ',
  '*a',
  '<<: *a',
  '!vault |',
  '!!binary',
  '!unsafe ',
  '!!python/object ',
  '%YAML 1.1\n',
  '---\n',
  '...\n',
  '@',
  '`',
  '~',
  'null',
  'yes',
  'no',
  '0o17',
  '1e999',
  '.inf',
  '0x',
  '{{',
  '}}',
  '{{ x }}',
  '{%',
  'hosts',
  'children',
  'vars',
  'tasks',
  'block',
  'rescue',
  'handlers',
  'roles',
  'include_role',
  'import_playbook',
  'name',
  'when',
  'loop',
  'notify',
  '__proto__',
  'constructor',
  'web[1:3]',
  '[a:c]',
  '\u00e9',
  '\u0000',
  '\r\n',
  '\uFEFF',
  'x',
];

export type Mutation =
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'indent'; line: number; by: number }
  | { kind: 'swap'; a: number; b: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 4 }).map((a) => a.join('')),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
);

export function applyMutation(text: string, m: Mutation): string {
  const at = (n: number) => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (m.kind) {
    case 'replace':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at) + 1);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'indent':
    case 'swap': {
      const lines = text.split('\n');
      if (m.kind === 'indent') {
        const i = m.line % lines.length;
        const line = lines[i] ?? '';
        lines[i] = m.by >= 0 ? ' '.repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), '');
      } else {
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      }
      return lines.join('\n');
    }
  }
}

/** A seed with 1..5 mutations applied. */
export function mutatedFrom(seed: string): fc.Arbitrary<string> {
  return fc
    .array(mutationArb, { minLength: 1, maxLength: 5 })
    .map((ms) => ms.reduce((t, m) => applyMutation(t, m), seed));
}

/** Whole documents: random token soup, or random JSON data written as YAML (well-formed, wrongly shaped). */
export const randomYamlArb: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((a) => a.join('')),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
);

/** What each kind of input may be: a mutated seed (most) or random text. */
export function inputArb(seed: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 4, arbitrary: mutatedFrom(seed) }, { weight: 1, arbitrary: randomYamlArb });
}
