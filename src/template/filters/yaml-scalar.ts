/** PyYAML's / libyaml's scalar analysis: which styles can write a string without changing its meaning. */
export interface ScalarAnalysis {
  scalar: string;
  empty: boolean;
  multiline: boolean;
  allowFlowPlain: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

const SPACE_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';
const BREAKS = '\n\x85\u2028\u2029';

// libyaml's IS_PRINTABLE (Ansible dumps through CSafeDumper): no NEL, nothing beyond the BMP.
function isPrintableUnicode(cp: number): boolean {
  return (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

export function analyzeScalar(scalar: string): ScalarAnalysis {
  if (scalar === '') {
    return {
      scalar,
      empty: true,
      multiline: false,
      allowFlowPlain: false,
      allowBlockPlain: true,
      allowSingleQuoted: true,
    };
  }
  const chs = Array.from(scalar);
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (scalar.startsWith('---') || scalar.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWs = true;
  let followedByWs = chs.length === 1 || SPACE_OR_BREAK.includes(chs[1] as string);
  let prevSpace = false;
  let prevBreak = false;
  chs.forEach((ch, index) => {
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '-' && followedByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWs) blockIndicators = true;
      }
      if (ch === '#' && precededByWs) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0) ?? 0;
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e)) && !isPrintableUnicode(cp)) special = true;
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === chs.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chs.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = SPACE_OR_BREAK.includes(ch);
    followedByWs = index + 2 >= chs.length || SPACE_OR_BREAK.includes(chs[index + 2] as string);
  });
  let flowPlain = true;
  let blockPlain = true;
  let single = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) flowPlain = blockPlain = false;
  if (breakSpace) flowPlain = blockPlain = single = false;
  if (spaceBreak || special) flowPlain = blockPlain = single = false;
  if (lineBreaks) flowPlain = blockPlain = false;
  if (flowIndicators) flowPlain = false;
  if (blockIndicators) blockPlain = false;
  return {
    scalar,
    empty: false,
    multiline: lineBreaks,
    allowFlowPlain: flowPlain,
    allowBlockPlain: blockPlain,
    allowSingleQuoted: single,
  };
}

// YAML 1.1 implicit types (PyYAML's resolver): a plain string matching one would load as that type.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** Whether a plain scalar with this text would load back as a string. */
export function plainIsString(value: string): boolean {
  const c = value[0] ?? '';
  if ('yYnNtTfFoO'.includes(c) && c !== '' && BOOL.test(value)) return false;
  if ('-+0123456789.'.includes(c) && c !== '' && FLOAT.test(value)) return false;
  if ('-+0123456789'.includes(c) && c !== '' && INT.test(value)) return false;
  if (value === '<<' || value === '=') return false;
  if (('~nN'.includes(c) || value === '') && NULL.test(value)) return false;
  if ('0123456789'.includes(c) && c !== '' && TIMESTAMP.test(value)) return false;
  return true;
}
