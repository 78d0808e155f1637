/**
 * Lists and dicts a template made itself. Only these are changed in place by `append`, `update`
 * and friends; anything else (a variable's value) is first copied and rebound (Frame.rebind),
 * as Ansible hands templates copies of variables and the play's data must never change.
 */
const owned = new WeakSet<object>();

export function markOwned<T extends object>(v: T): T {
  owned.add(v);
  return v;
}

export function isOwned(v: object): boolean {
  return owned.has(v);
}
