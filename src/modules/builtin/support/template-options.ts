import type { TemplateOptions } from '../../../template/index.js';
import type { PlanContext } from '../../types.js';

/**
 * Options for templating inside a module (template, debug, assert). PlanContext does not carry
 * the vault decryptor yet (proposed field `decryptVault`); it is picked up when the engine adds it,
 * so that a template using a `!vault` variable renders instead of failing.
 */
export function moduleTemplateOptions(ctx: PlanContext): TemplateOptions {
  const decryptVault = (ctx as PlanContext & Pick<TemplateOptions, 'decryptVault'>).decryptVault;
  return decryptVault ? { decryptVault } : {};
}
