import { describe, expect, it } from 'vitest';
import { MemoryHandlerLedger } from '../../../src/engine/handler-ledger.js';
import { runWithFakes, TWO_HOSTS } from '../../helpers/engine-harness.js';

const COPY_PLAY = `
- hosts: web
  gather_facts: false
  tasks:
    - name: config
      copy:
        dest: /srv.cfg
        content: "port={{ port }}\\n"
        mode: "0640"
      notify: reload
  handlers:
    - name: reload
      command: service-reload {{ inventory_hostname }}
`;

describe('engine: plan, apply, check, diff, handlers', () => {
  it('applies once, then reports ok with nothing to do', async () => {
    const first = await runWithFakes(COPY_PLAY, TWO_HOSTS);
    expect(first.statusOf('config', 'web1')).toBe('changed');
    expect(first.hosts.get('web1')?.files.get('/srv.cfg')?.content?.toString()).toBe('port=8001\n');
    expect(first.hosts.get('web2')?.files.get('/srv.cfg')?.mode).toBe(0o640);
    expect(first.hosts.get('web1')?.calls).toContain('exec service-reload web1');
    expect(first.summary.stats.web1).toMatchObject({ ok: 2, changed: 2, failures: 0 });

    const second = await runWithFakes(COPY_PLAY, TWO_HOSTS, { hosts: first.hosts });
    expect(second.statusOf('config', 'web1')).toBe('ok');
    expect(second.results('reload')).toEqual([]);
    expect(second.summary.stats.web1).toMatchObject({ ok: 1, changed: 0 });
  });

  it('check mode reports what would change and changes nothing', async () => {
    const run = await runWithFakes(COPY_PLAY, TWO_HOSTS, { check: true, diff: true });
    expect(run.statusOf('config', 'web1')).toBe('changed');
    const r = run.results('config').find((e) => e.host === 'web1');
    expect(r?.diff?.[0]).toContain('+port=8001');
    expect(run.hosts.get('web1')?.writes()).toEqual([]);
    // The handler is notified in check mode too, but runs nothing.
    expect(run.hosts.get('web1')?.calls.filter((c) => c.startsWith('exec'))).toEqual([]);
  });

  it('runs handlers only for hosts whose task changed, once, with listen', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: a
      copy: {dest: /a, content: "{{ 'x' if inventory_hostname == 'web1' else '' }}"}
      notify: restart things
    - name: b
      copy: {dest: /b, content: "b"}
      notify: restart things
  handlers:
    - name: restart
      listen: restart things
      command: restart-it
`;
    const run = await runWithFakes(play, TWO_HOSTS, {
      prepare: (hosts) => {
        hosts.get('web2')?.files.set('/a', { content: Buffer.from(''), mode: 0o644, uid: 0, gid: 0 });
        hosts.get('web2')?.files.set('/b', { content: Buffer.from('b'), mode: 0o644, uid: 0, gid: 0 });
      },
    });
    expect(run.results('restart').map((r) => r.host)).toEqual(['web1']);
    expect(run.hosts.get('web1')?.calls.filter((c) => c === 'exec restart-it')).toHaveLength(1);
    expect(run.hosts.get('web2')?.calls.filter((c) => c === 'exec restart-it')).toHaveLength(0);
  });

  it('when, loop, register and set_fact', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: files
      copy: {dest: "/{{ item }}", content: "{{ item }}"}
      loop: [x, y]
      when: port > 8001
      register: made
    - set_fact:
        count_changed: "{{ made.results | selectattr('changed') | list | length }}"
    - name: show
      debug: {msg: "changed {{ count_changed }}"}
`;
    const run = await runWithFakes(play, TWO_HOSTS);
    expect(run.statusOf('files', 'web1')).toBe('skipped');
    expect(run.statusOf('files', 'web2')).toBe('changed');
    expect(run.results('show').find((r) => r.host === 'web2')?.msg).toBe('changed 2');
    expect(run.hosts.get('web2')?.files.get('/y')?.content?.toString()).toBe('y');
  });

  it('block/rescue/always and ignore_errors', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - block:
        - name: may fail
          command: do-it
        - name: after failure
          debug: {msg: not reached}
      rescue:
        - name: rescue
          debug: {msg: rescued}
      always:
        - name: always
          debug: {msg: always}
    - name: ignored
      fail: {msg: boom}
      ignore_errors: true
    - name: last
      debug: {msg: done}
`;
    const run = await runWithFakes(play, TWO_HOSTS, {
      prepare: (hosts) =>
        hosts.get('web1')?.script.push({ match: /do-it/, result: { rc: 3, stdout: '', stderr: 'nope' } }),
    });
    expect(run.statusOf('may fail', 'web1')).toBe('failed');
    expect(run.statusOf('after failure', 'web1')).toBeUndefined();
    expect(run.statusOf('after failure', 'web2')).toBe('ok');
    expect(run.results('rescue').map((r) => r.host)).toEqual(['web1']);
    expect(run.results('always').map((r) => r.host)).toEqual(['web1', 'web2']);
    expect(run.statusOf('last', 'web1')).toBe('ok');
    expect(run.summary.stats.web1).toMatchObject({ rescued: 1, failures: 0, ignored: 1 });
    expect(run.summary.failedHosts).toEqual([]);
  });

  it('a failed host stops; the others go on; unreachable is reported', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: one
      command: step-one
    - name: two
      debug: {msg: two}
`;
    const run = await runWithFakes(play, TWO_HOSTS, {
      prepare: (hosts) => {
        const h = hosts.get('web1');
        if (h) h.unreachable = true;
      },
    });
    expect(run.statusOf('one', 'web1')).toBe('unreachable');
    expect(run.statusOf('two', 'web1')).toBeUndefined();
    expect(run.statusOf('two', 'web2')).toBe('ok');
    expect(run.summary.unreachableHosts).toEqual(['web1']);
  });

  it('run_once runs on the first host and registers for all', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: once
      command: make-ca
      run_once: true
      register: ca
    - name: see
      debug: {msg: "{{ ca.rc }}"}
`;
    const run = await runWithFakes(play, TWO_HOSTS);
    expect(run.hosts.get('web1')?.calls).toContain('exec make-ca');
    expect(run.hosts.get('web2')?.calls).not.toContain('exec make-ca');
    expect(run.results('see').map((r) => r.msg)).toEqual(['0', '0']);
  });

  it('tags select tasks; always runs; never needs its tag', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - {name: t1, debug: {msg: a}, tags: [one]}
    - {name: t2, debug: {msg: b}, tags: [two]}
    - {name: t3, debug: {msg: c}, tags: [always]}
    - {name: t4, debug: {msg: d}, tags: [never, four]}
`;
    const run = await runWithFakes(play, TWO_HOSTS, { tags: ['two'] });
    const ran = run.events.flatMap((e) => (e.kind === 'task-start' ? [e.name] : []));
    expect(ran).toEqual(['t2', 't3']);
  });

  it('an undefined variable stops the run with its location', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: bad
      copy: {dest: /x, content: "{{ nope }}"}
    - name: after
      debug: {msg: after}
`;
    const run = await runWithFakes(play, TWO_HOSTS);
    expect(run.summary.inputError?.code).toBe('undefined-variable');
    expect(run.summary.inputError?.message).toContain('nope');
    expect(run.summary.inputError?.location?.line).toBe(5);
    expect(run.results('after')).toEqual([]);
    expect(run.hosts.get('web1')?.writes()).toEqual([]);
  });

  it('serial runs batches one after the other', async () => {
    const play = `
- hosts: web
  gather_facts: false
  serial: 1
  tasks:
    - {name: s, debug: {msg: "{{ ansible_play_batch | join(',') }}"}}
`;
    const run = await runWithFakes(play, TWO_HOSTS);
    expect(run.results('s').map((r) => r.msg)).toEqual(['web1', 'web2']);
  });

  it('extra vars beat play vars', async () => {
    const play = `
- hosts: web1
  gather_facts: false
  vars: {who: play}
  tasks:
    - {name: v, debug: {msg: "{{ who }}"}}
`;
    const run = await runWithFakes(play, TWO_HOSTS, { extraVars: { who: 'extra' } });
    expect(run.results('v')[0]?.msg).toBe('extra');
  });

  it('play-level become and environment apply to tasks unless a task says otherwise', async () => {
    const play = `
- hosts: web1
  gather_facts: false
  become: true
  become_user: postgres
  environment: {LANG: C}
  tasks:
    - {name: as-postgres, command: whoami}
    - {name: as-login, command: id, become: false, environment: {PORT: "{{ port }}"}}
`;
    const run = await runWithFakes(play, TWO_HOSTS);
    expect(run.hosts.get('web1')?.calls.filter((c) => c.startsWith('exec'))).toEqual([
      'exec(postgres) LANG=C whoami',
      'exec LANG=C PORT=8001 id',
    ]);
  });

  it('until/retries/delay retries a task until its condition holds', async () => {
    const play = `
- hosts: web1
  gather_facts: false
  tasks:
    - name: poll
      command: check-ready
      register: r
      until: r.stdout == 'ready'
      retries: 4
      delay: 0
    - name: never ready
      command: check-other
      register: o
      until: o.stdout == 'ready'
      retries: 2
      delay: 0
`;
    let polls = 0;
    const run = await runWithFakes(play, TWO_HOSTS, {
      prepare: (hosts) => {
        const h = hosts.get('web1');
        if (!h) return;
        // The third poll answers "ready".
        h.exec = async (command) => {
          h.calls.push(`exec ${command}`);
          if (command === 'check-ready')
            return { rc: 0, stdout: ++polls >= 3 ? 'ready' : 'starting', stderr: '' };
          return { rc: 0, stdout: 'starting', stderr: '' };
        };
      },
    });
    expect(run.statusOf('poll', 'web1')).toBe('changed');
    expect(run.results('poll')[0]?.result?.attempts).toBe(3);
    expect(run.statusOf('never ready', 'web1')).toBe('failed');
    expect(run.hosts.get('web1')?.calls.filter((c) => c === 'exec check-other')).toHaveLength(3);
  });

  it('a handler that failed, or never ran because its host failed, is owed to the next run', async () => {
    const play = `
- hosts: web
  gather_facts: false
  tasks:
    - name: config
      copy: {dest: /srv.cfg, content: "v1"}
      notify: reload
    - name: later step
      command: later-step
  handlers:
    - name: reload
      command: reload-it
`;
    const ledger = new MemoryHandlerLedger();
    const first = await runWithFakes(play, TWO_HOSTS, {
      handlerLedger: ledger,
      prepare: (hosts) => {
        hosts
          .get('web1')
          ?.script.push({ match: /reload-it/, result: { rc: 1, stdout: '', stderr: 'bad config' } });
        hosts
          .get('web2')
          ?.script.push({ match: /later-step/, result: { rc: 1, stdout: '', stderr: 'broken' } });
      },
    });
    expect(first.statusOf('reload', 'web1')).toBe('failed');
    expect(first.results('reload').map((r) => r.host)).toEqual(['web1']);
    expect(ledger.owed('web', 'web1')).toEqual(['reload']);
    expect(ledger.owed('web', 'web2')).toEqual(['reload']);
    // Nothing changes on the second run, yet the owed reload runs, and then nothing is owed.
    for (const h of first.hosts.values()) h.script.length = 0;
    const second = await runWithFakes(play, TWO_HOSTS, { hosts: first.hosts, handlerLedger: ledger });
    expect(second.statusOf('config', 'web1')).toBe('ok');
    expect(second.results('reload').map((r) => [r.host, r.status])).toEqual([
      ['web1', 'changed'],
      ['web2', 'changed'],
    ]);
    expect(ledger.entries.size).toBe(0);
    const third = await runWithFakes(play, TWO_HOSTS, { hosts: first.hosts, handlerLedger: ledger });
    expect(third.results('reload')).toEqual([]);
  });
});
