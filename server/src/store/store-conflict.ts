/**
 * A transaction found the store changed under it by a concurrent one (for instance a profile a
 * device still pointed at was merged away meanwhile). It carries SQLSTATE `40001`, the code of a
 * serialization failure, so engines that re-run conflicting transactions re-run this one too and
 * report it as a retryable 503 if it persists.
 */
export class StoreConflictError extends Error {
  readonly code = '40001'
  override name = 'StoreConflictError'
}
