/** The limits of SPEC section 8, in one place for the edge, the docs and the tests. */
export const limits = {
  /** Largest body of a single call, in bytes. */
  callBytes: 32 * 1024,
  /** Largest body of a batch, in bytes. */
  batchBytes: 500 * 1024,
  /** Most events in one batch. */
  batchEvents: 2500,
  /** Deepest nesting inside traits, properties or context (a leaf path of five keys). */
  objectDepth: 5,
  /** Deepest nesting of a whole body, before any field is looked at. */
  bodyDepth: 10,
  /** Most object keys in one call, counted at every level. */
  keysPerCall: 1000,
  /** Most stored trait values (and deletions) on one profile or account. */
  traitsPerProfile: 2000,
} as const
