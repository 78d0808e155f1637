/** What `omit` / `default(omit)` yields; the engine drops module arguments equal to it. */
export const OMIT: unique symbol = Symbol('omit');

/** How OMIT prints when it ends up inside a larger string (Ansible prints a random placeholder). */
export const OMIT_TEXT = '__omit_place_holder__';
