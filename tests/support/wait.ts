/** Polls until `check` returns a truthy value or the time is up (for Orthanc's StableAge). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  { timeoutMs = 20_000, everyMs = 250 } = {}
) {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await check()
      if (value) return value as T
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`
  )
}
