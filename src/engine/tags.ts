/** Ansible's tag selection: --tags/--skip-tags with always, never, all, tagged, untagged. */
export function selectedByTags(
  taskTags: readonly string[],
  only: readonly string[],
  skip: readonly string[],
): boolean {
  const tags = new Set(taskTags);
  const has = (t: string): boolean => tags.has(t);
  if (skip.length > 0) {
    if (skip.some(has)) return false;
    if (skip.includes('all') && !has('always')) return false;
    if (skip.includes('tagged') && tags.size > 0 && !has('always')) return false;
    if (skip.includes('untagged') && tags.size === 0) return false;
  }
  if (has('always') && !skip.includes('always')) return true;
  if (only.length === 0 || only.includes('all')) return !has('never');
  if (only.some(has)) return true;
  if (only.includes('tagged') && tags.size > 0 && !has('never')) return true;
  if (only.includes('untagged') && tags.size === 0) return true;
  return false;
}
