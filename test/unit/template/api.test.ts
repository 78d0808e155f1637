import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import {
  evaluate,
  isTemplate,
  isTruthy,
  OMIT,
  renderString,
  Undefined,
} from '../../../src/template/index.js';

describe('template API', () => {
  it('detects templates', () => {
    expect(isTemplate('{{ x }}')).toBe(true);
    expect(isTemplate('a {% if x %}b{% endif %}')).toBe(true);
    expect(isTemplate('{# note #}')).toBe(true);
    expect(isTemplate('{ "json": 1 }')).toBe(false);
    expect(isTemplate('plain')).toBe(false);
  });

  it('returns strings without templates untouched', () => {
    expect(renderString('/etc/ssl/certs', {})).toBe('/etc/ssl/certs');
    expect(renderString('{"a": 1}', {})).toBe('{"a": 1}');
  });

  it('evaluates bare expressions to native values', () => {
    const vars = { result: { changed: true, rc: 0 }, hosts: ['a', 'b'], ratio: '4' };
    expect(evaluate('result is changed and result.rc == 0', vars)).toBe(true);
    expect(evaluate('hosts | length', vars)).toBe(2);
    expect(evaluate('hosts', vars)).toEqual(['a', 'b']);
    expect(evaluate('(ratio | int) / 2', vars)).toBe(2);
    expect(evaluate("'a' in hosts and 'c' not in hosts", vars)).toBe(true);
  });

  it('gives OMIT for default(omit) and omit', () => {
    expect(renderString('{{ mode | default(omit) }}', {})).toBe(OMIT);
    expect(evaluate('omit', {})).toBe(OMIT);
  });

  it('implements Python truthiness', () => {
    expect(isTruthy('')).toBe(false);
    expect(isTruthy('0')).toBe(true);
    expect(isTruthy(0)).toBe(false);
    expect(isTruthy([])).toBe(false);
    expect(isTruthy({})).toBe(false);
    expect(isTruthy({ a: 1 })).toBe(true);
    expect(isTruthy(null)).toBe(false);
    expect(isTruthy(Number.NaN)).toBe(true);
  });

  it('chains Undefined on attribute access and fails when it is used', () => {
    const u = new Undefined('foo').attr('bar');
    expect(u.name).toBe('foo.bar');
    expect(() => isTruthy(u)).toThrow(OvnctlError);
    expect(() => isTruthy(u)).toThrow("'foo.bar' is undefined");
    expect(evaluate('foo.bar is undefined', {})).toBe(true);
    expect(renderString("{{ foo.bar | d('x') }}", {})).toBe('x');
  });

  it('reuses parsed templates across different vars', () => {
    const t = 'server {{ name }} {{ ip }}:{{ port }}';
    expect(renderString(t, { name: 'a', ip: '10.0.0.1', port: 1 })).toBe('server a 10.0.0.1:1');
    expect(renderString(t, { name: 'b', ip: '10.0.0.2', port: 2 })).toBe('server b 10.0.0.2:2');
  });

  it('processes escapes in template-module mode only', () => {
    expect(renderString("{{ 'a\\tb' }}", {})).toBe('a\\tb');
    expect(renderString("{{ 'a\\tb' }}", {}, { escapeBackslashes: false })).toBe('a\tb');
  });
});

describe('evaluate with templated conditions', () => {
  it('renders {{ }} first, as Ansible does for when:', () => {
    expect(evaluate('{{ enabled }}', { enabled: true })).toBe(true);
    expect(evaluate('{{ flag }}', { flag: 'x == 1', x: 1 })).toBe(true);
  });
});

describe('in-place changes', () => {
  it('copy a variable before changing it and never touch the vars', () => {
    const vars = { ports: [80], cfg: { a: 1 } };
    const out = renderString(
      '{% for p in [443, 8443] %}{% set _ = ports.append(p) %}{% endfor %}{{ ports }}|{% set c = cfg %}{% set _ = c.update({"b": 2}) %}{{ cfg }}',
      vars,
    );
    expect(out).toBe("[80, 443, 8443]|{'a': 1, 'b': 2}");
    expect(vars).toEqual({ ports: [80], cfg: { a: 1 } });
    expect(renderString('{{ ports }}', vars)).toEqual([80]);
  });

  it('refuses to change part of a variable that no name holds', () => {
    const vars = { cfg: { opts: { a: 1 } } };
    expect(() => renderString("{% set _ = cfg.opts.update({'b': 2}) %}", vars)).toThrow(
      /copy it into a name first/,
    );
    expect(vars.cfg.opts).toEqual({ a: 1 });
  });
});
