#!/usr/bin/python3
"""Record what real ansible-core's Templar makes of each case in test/golden/template-cases.yml.

Cases with `module: true` are rendered the way the template module renders a file
(Templar.do_template, escape_backslashes=False, text result).

Run with the Python that has ansible-core (Debian: `apt-get install ansible-core`, then
`/usr/bin/python3 scripts/golden/gen-template-golden.py`). Writes test/golden/template-golden.json:
[{name, template, vars, result | error: true, type}] (errors also carry ansible_error, for reading). Unsafe vars are written as
{"__unsafe__": text}; Ansible's omit placeholder as {"__omit__": true}.
"""
import json
import os
import sys
import warnings

from ansible import __version__ as ANSIBLE_VERSION
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.template import Templar
from ansible.utils.unsafe_proxy import AnsibleUnsafe

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = os.path.join(ROOT, 'test', 'golden', 'template-cases.yml')
OUT = os.path.join(ROOT, 'test', 'golden', 'template-golden.json')

# What VariableManager puts in every task's vars; the real value is random per run.
OMIT = '__omit_place_holder__4cc0bd3c7e1bb5e4fa6d9a4d3a0b5bfa1e9a6c2d'


def type_name(v):
    if isinstance(v, bool):
        return 'bool'
    if isinstance(v, int):
        return 'int'
    if isinstance(v, float):
        return 'float'
    if isinstance(v, str):
        return 'str'
    if isinstance(v, (list, tuple)):
        return 'list'
    if isinstance(v, dict):
        return 'dict'
    if v is None:
        return 'NoneType'
    return type(v).__name__


def to_json_value(v, for_vars=False):
    if isinstance(v, str):
        if for_vars and isinstance(v, AnsibleUnsafe):
            return {'__unsafe__': str(v)}
        if not for_vars and v == OMIT:
            return {'__omit__': True}
        return str(v)
    if isinstance(v, (list, tuple)):
        return [to_json_value(x, for_vars) for x in v]
    if isinstance(v, dict):
        return {str(k): to_json_value(x, for_vars) for k, x in v.items()}
    if isinstance(v, (bool, int, float)) or v is None:
        return v
    raise TypeError('cannot record a %s' % type(v).__name__)


def main():
    with open(CASES, encoding='utf-8') as f:
        cases = yaml.load(f, Loader=AnsibleLoader)
    out = []
    problems = []
    names = set()
    for case in cases:
        name = case['name']
        if name in names:
            problems.append('duplicate case name %r' % name)
        names.add(name)
        variables = dict(case.get('vars') or {})
        variables['omit'] = OMIT
        templar = Templar(loader=DataLoader(), variables=variables)
        entry = {'name': name, 'template': str(case['template']), 'vars': to_json_value(case.get('vars') or {}, True)}
        if case.get('module'):
            entry['module'] = True
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                if case.get('module'):
                    # What the template module does with a template file.
                    result = templar.do_template(case['template'], preserve_trailing_newlines=True, escape_backslashes=False)
                else:
                    result = templar.template(case['template'])
            entry['result'] = to_json_value(result)
            entry['type'] = type_name(result)
            if case.get('expect_error'):
                problems.append('%s: expected an error, got %r' % (name, result))
        except Exception as e:  # Ansible raises AnsibleError subclasses and the odd TypeError
            entry['error'] = True
            entry['ansible_error'] = '%s: %s' % (type(e).__name__, str(e).splitlines()[0][:300])
            if not case.get('expect_error'):
                problems.append('%s: unexpected error %s' % (name, entry['ansible_error']))
        out.append(entry)
    for p in problems:
        print('warning: ' + p, file=sys.stderr)
    with open(OUT + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write('\n')
    os.replace(OUT + '.tmp', OUT)
    print('%d cases written to %s (ansible-core %s)' % (len(out), OUT, ANSIBLE_VERSION))


if __name__ == '__main__':
    main()
