/** The built-in modules this project promises (one schema file and one source file each). */
export const BUILTIN_NAMES = [
  'assert',
  'blockinfile',
  'command',
  'copy',
  'debug',
  'fail',
  'file',
  'lineinfile',
  'service',
  'set_fact',
  'shell',
  'stat',
  'template',
];
