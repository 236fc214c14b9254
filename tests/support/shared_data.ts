import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/*
| The project's shared test data (real-world DICOM files of public toolkits)
| is referenced where it lies, never copied into the repository:
| SHARED_DATA_DIR, else <repo>/../shared/data (a clone beside shared/, as in
| CI), else /work/shared/data. None found is a failure with a clear message,
| never a test skipped in silence.
*/
const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)))

export function sharedDataDir() {
  const candidates = [
    process.env.SHARED_DATA_DIR,
    join(REPO, '..', 'shared', 'data'),
    '/work/shared/data',
  ].filter(Boolean) as string[]
  const found = candidates.find((dir) => existsSync(join(dir, 'dicom-realworld')))
  if (!found) {
    throw new Error(
      `the shared test data was not found (looked in: ${candidates.join(', ')}); set SHARED_DATA_DIR to the folder that holds dicom-realworld/`
    )
  }
  return found
}

/** The path of one file of shared/data/dicom-realworld; fails clearly when it is missing. */
export function realWorldFile(name: string) {
  const path = join(sharedDataDir(), 'dicom-realworld', name)
  if (!existsSync(path)) throw new Error(`shared test file missing: ${path}`)
  return path
}
