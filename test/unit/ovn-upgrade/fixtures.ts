/** cluster/status texts as ovsdb-server 3.1 prints them (captured from real clusters, ids shortened). */

export interface ServerLine {
  sid: string;
  address: string;
  self?: boolean;
  lastMsgMs?: number;
}

export function statusText(o: {
  sid?: string;
  address: string;
  status?: string;
  role?: string;
  leader?: string;
  unapplied?: number;
  servers: ServerLine[];
}): string {
  const sid = o.sid ?? (o.servers.find((s) => s.self)?.sid || '94bf');
  const lines = o.servers.map((s) => {
    const extra = o.role === 'leader' ? ' next_index=5 match_index=4' : '';
    const last = s.lastMsgMs !== undefined ? ` last msg ${s.lastMsgMs} ms ago` : '';
    return `    ${s.sid} (${s.sid} at ${s.address})${s.self ? ' (self)' : ''}${extra}${last}`;
  });
  return `${sid}
Name: OVN_Northbound
Cluster ID: 622e (622e806e-7632-4256-a0b0-ad57bffd0735)
Server ID: ${sid} (${sid}e156-32c6-4b29-b954-da069406d814)
Address: ${o.address}
Status: ${o.status ?? 'cluster member'}
Role: ${o.role ?? 'follower'}
Term: 3
Leader: ${o.leader ?? '7f98'}
Vote: unknown

Election timer: 1000
Log: [2, 5]
Entries not yet committed: 0
Entries not yet applied: ${o.unapplied ?? 0}
Connections: ->0000 <-94bf <-f965 ->f965
Disconnections: 0
Servers:
${lines.join('\n')}
`;
}

export const A1 = 'tcp:10.0.0.1:6643';
export const A2 = 'tcp:10.0.0.2:6643';
export const A3 = 'tcp:10.0.0.3:6643';
export const S1 = 'ssl:10.0.0.1:6643';
export const S2 = 'ssl:10.0.0.2:6643';
export const S3 = 'ssl:10.0.0.3:6643';

/** A follower (10.0.0.1) of a three-member tcp cluster. */
export const FOLLOWER = statusText({
  sid: '94bf',
  address: A1,
  servers: [
    { sid: '94bf', address: A1, self: true },
    { sid: '7f98', address: A2, lastMsgMs: 12 },
    { sid: 'f965', address: A3 },
  ],
});

export const LEFT = {
  rc: 2,
  stdout: '',
  stderr: 'unknown cluster\novn-appctl: /var/run/ovn/ovnnb_db.ctl: server returned an error',
};
export const DOWN = {
  rc: 1,
  stdout: '',
  stderr: 'ovn-appctl: cannot connect to "/var/run/ovn/ovnnb_db.ctl" (No such file or directory)',
};
