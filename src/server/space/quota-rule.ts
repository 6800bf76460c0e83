// When a write fits the owner's quota (reference §7.5; Peergos SpaceCheckingKeyFilter.allowWrite): the
// confirmed usage plus pending writes plus this write against the quota, with 1 MiB of tolerance once the
// user has hit the quota, so that the small writes of a delete still pass; Peergos' refusal text.
import { QuotaExceededError } from '../../services/errors.ts'

/** SpaceCheckingKeyFilter.USAGE_TOLERANCE. */
export const USAGE_TOLERANCE = 1024 * 1024

export interface QuotaFacts {
  /** Confirmed usage (userusage.total_bytes). */
  readonly total: number
  /** Bytes written by the user's writers and not yet confirmed by a pointer update. */
  readonly pending: number
  readonly quota: number
  /** The user has been refused a write and has not come back under the quota since. */
  readonly errored: boolean
}

/**
 * The most the user may hold with this write. Peergos: the quota, or quota + tolerance while errored.
 * Ours in addition: the tolerance also applies when the confirmed usage is already at or over the quota
 * (e.g. after the quota was lowered), so that deleting never needs a refused write first.
 */
export function writeLimit(f: Pick<QuotaFacts, 'total' | 'quota' | 'errored'>, tolerance = USAGE_TOLERANCE): number {
  return f.errored || f.total >= f.quota ? f.quota + tolerance : f.quota
}

export function fitsQuota(f: QuotaFacts, bytes: number, tolerance = USAGE_TOLERANCE): boolean {
  return f.total + f.pending + bytes <= writeLimit(f, tolerance)
}

/** Peergos' text (clients look for "Storage quota reached"). */
export function quotaExceeded(f: QuotaFacts, bytes: number): QuotaExceededError {
  return new QuotaExceededError(`Storage quota reached! \nUsed ${f.total} out of ${f.quota} bytes. Rejecting write of size ${bytes}. \n` +
    'Please delete some files or request more space.')
}
