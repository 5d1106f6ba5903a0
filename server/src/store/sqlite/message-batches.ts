/**
 * Posts messages to the other thread in batches: what one thread sends during one turn of its
 * event loop crosses as one array, so a group of calls costs one message each way instead of
 * one per call (each message wakes the other thread and is dispatched on its own).
 */
export function batchedPoster<M>(post: (batch: M[]) => void): (message: M) => void {
  let batch: M[] | undefined
  return (message) => {
    if (batch === undefined) {
      const fresh: M[] = []
      batch = fresh
      setImmediate(() => {
        batch = undefined
        post(fresh)
      })
    }
    batch.push(message)
  }
}
