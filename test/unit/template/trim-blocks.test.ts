import { describe, expect, it } from 'vitest';
import { renderString } from '../../../src/template/index.js';

const template = [
  'frontend tls',
  '{% for b in backends %}',
  '{% if b.enabled %}',
  '  use_backend {{ b.name }}',
  '{% endif %}',
  '{% endfor %}',
  'end',
  '',
].join('\n');

const vars = {
  backends: [
    { name: 'keystone', enabled: true },
    { name: 'nova', enabled: false },
    { name: 'neutron', enabled: true },
  ],
};

describe('trimBlocks', () => {
  it('drops the newline after block tags by default (Ansible)', () => {
    expect(renderString(template, vars)).toBe(
      'frontend tls\n  use_backend keystone\n  use_backend neutron\nend\n',
    );
  });

  it('keeps it when trimBlocks is false', () => {
    // Expected output checked with Jinja2 3.1 (Environment(trim_blocks=False)).
    expect(renderString(template, vars, { trimBlocks: false })).toBe(
      'frontend tls\n\n\n  use_backend keystone\n\n\n\n\n\n  use_backend neutron\n\n\nend\n',
    );
  });

  it('strips whitespace around tags marked with -', () => {
    const t = 'servers:\n{%- for b in backends %} {{ b.name }}\n{%- endfor %}\n';
    expect(renderString(t, vars)).toBe('servers: keystone nova neutron\n');
  });
});
