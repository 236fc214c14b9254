/*
| What /health reports. The database is the platform's own check; other
| engines (Orthanc, Redis) register theirs where they are wired in, so the
| platform names none of them.
*/
/** 'down' answers /health with 503 (take the node out); 'degraded' answers 200 and says what is missing. */
export type HealthCheck = () => Promise<'ok' | 'down' | 'degraded'>

class HealthChecks {
  #checks = new Map<string, HealthCheck>()

  register(name: string, check: HealthCheck) {
    this.#checks.set(name, check)
  }

  async run() {
    const results: Record<string, string> = {}
    await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        try {
          results[name] = await check()
        } catch {
          results[name] = 'down'
        }
      })
    )
    return results
  }
}

export const healthChecks = new HealthChecks()
