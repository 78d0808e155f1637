/** name -> id from /etc/passwd or /etc/group text (`name:x:id:...`). */
export function parseIdDatabase(text: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id && /^\d+$/.test(id)) ids.set(name, Number(id));
  }
  return ids;
}
