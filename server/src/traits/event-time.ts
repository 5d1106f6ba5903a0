/**
 * The time an event happened, corrected for the sender's clock the way Segment does it:
 * `receivedAt - (sentAt - timestamp)`. A client whose clock runs ahead cannot win every
 * last-write-wins comparison: the result is never later than receipt.
 */
export function correctedEventTime(input: {
  receivedAt: number
  timestamp?: number | undefined
  sentAt?: number | undefined
}): number {
  const { receivedAt, timestamp, sentAt } = input
  if (timestamp === undefined) return receivedAt
  const corrected = sentAt === undefined ? timestamp : receivedAt - (sentAt - timestamp)
  return Math.min(corrected, receivedAt)
}
