import type { FilterFn } from '../runtime.js';
import { collectionFilters } from './collections.js';
import { coreFilters } from './core.js';
import { regexFilters } from './regex.js';
import { selectFilters } from './select.js';
import { serializeFilters } from './serialize.js';
import { setFilters } from './sets.js';
import { stringFilters } from './strings.js';

/** Every filter templates can use, by short name (`ansible.builtin.` prefixes are stripped). */
export const FILTERS: Readonly<Record<string, FilterFn>> = Object.assign(
  Object.create(null) as Record<string, FilterFn>,
  coreFilters,
  { d: coreFilters.default as FilterFn },
  stringFilters,
  regexFilters,
  collectionFilters,
  setFilters,
  selectFilters,
  serializeFilters,
);
