import { Transform, type TransformCallback } from 'node:stream'
import { createHash } from 'node:crypto'

/*
| C 8.2.1: transfers are graded by network conditions. Each node can have a
| bandwidth cap (the clinic's uplink, the backup site's line); every byte sent
| to or from that node draws from its token bucket, so however many transfers
| run at once, together they stay under the cap.
*/

export interface TimeSource {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realTime: TimeSource = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export class TokenBucket {
  #tokens: number
  #last: number
  /** a queue so that concurrent takers are served in order, not all at once */
  #queue: Promise<void> = Promise.resolve()

  constructor(
    public bytesPerSecond: number,
    public burstBytes = Math.max(64 * 1024, bytesPerSecond / 4),
    protected time: TimeSource = realTime
  ) {
    this.#tokens = burstBytes
    this.#last = time.now()
  }

  protected refill() {
    const now = this.time.now()
    this.#tokens = Math.min(
      this.burstBytes,
      this.#tokens + ((now - this.#last) / 1000) * this.bytesPerSecond
    )
    this.#last = now
  }

  /** How long (ms) taking `bytes` now would have to wait; takes them. */
  protected reserve(bytes: number) {
    this.refill()
    this.#tokens -= bytes
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.bytesPerSecond) * 1000
  }

  /** Waits until `bytes` may pass. */
  take(bytes: number) {
    const turn = this.#queue.then(async () => {
      const wait = this.reserve(bytes)
      if (wait > 0) await this.time.sleep(wait)
    })
    this.#queue = turn.catch(() => undefined)
    return turn
  }

  setRate(bytesPerSecond: number) {
    this.refill()
    this.bytesPerSecond = bytesPerSecond
    this.burstBytes = Math.max(64 * 1024, bytesPerSecond / 4)
    this.#tokens = Math.min(this.#tokens, this.burstBytes)
  }
}

/** kbit/s as the administrator enters it → bytes per second. */
export function kbpsToBytesPerSecond(kbps: number) {
  return (kbps * 1000) / 8
}

/** One bucket per node, shared by every transfer this process runs. */
const bucketsByNode = new Map<number, TokenBucket>()

export function bucketForNode(nodeId: number, limitKbps: number | null) {
  if (!limitKbps) {
    bucketsByNode.delete(nodeId)
    return null
  }
  const rate = kbpsToBytesPerSecond(limitKbps)
  let bucket = bucketsByNode.get(nodeId)
  if (!bucket) {
    bucket = new TokenBucket(rate)
    bucketsByNode.set(nodeId, bucket)
  } else if (bucket.bytesPerSecond !== rate) {
    bucket.setRate(rate)
  }
  return bucket
}

/**
 * A pass-through stream that draws every chunk from the given buckets and
 * hashes what went through (MD5, to check the bytes against the manifest).
 */
export class MeteredStream extends Transform {
  readonly md5 = createHash('md5')
  bytes = 0

  constructor(protected buckets: TokenBucket[]) {
    super()
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.md5.update(chunk)
    this.bytes += chunk.length
    if (this.buckets.length === 0) return callback(null, chunk)
    Promise.all(this.buckets.map((bucket) => bucket.take(chunk.length))).then(
      () => callback(null, chunk),
      (error) => callback(error)
    )
  }
}
