import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'

const run = promisify(execFile)
const SECRETS = {
  APP_KEY: 'k',
  PATIENT_ID_HASH_KEY: 'k',
  DB_PASSWORD: 'p',
  DB_ROOT_PASSWORD: 'p',
  ORTHANC_PASSWORD: 'p',
  ORTHANC_INDEX_PASSWORD: 'p',
}

test.group('Deployment files', () => {
  test('the compose file is valid, and refuses to start without its secrets', async ({
    assert,
  }) => {
    const compose = '/usr/bin/docker-compose'
    assert.isTrue(
      existsSync(compose),
      'docker-compose is installed by npm test (apt: docker-compose)'
    )
    const file = app.makePath('docker/docker-compose.yml')
    await run(compose, ['-f', file, 'config', '--quiet'], { env: { ...process.env, ...SECRETS } })
    const { stdout } = await run(compose, ['-f', file, 'config'], {
      env: { ...process.env, ...SECRETS },
    })
    assert.include(stdout, 'orthancteam/orthanc')
    // Orthanc's HTTP API is never published: only its DICOM port is.
    assert.notMatch(stdout, /published: 8042|8042:8042/)
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in SECRETS)))
    await assert.rejects(() => run(compose, ['-f', file, 'config', '--quiet'], { env }))
    // Three runs of a Python program: slow when the machine is busy, whatever the unit suite's default.
  }).timeout(60_000)

  test('both Orthanc configurations keep authentication on and stores from undeclared modalities off', async ({
    assert,
  }) => {
    for (const name of ['orthanc.json', 'orthanc.compose.json']) {
      const config = JSON.parse(await readFile(app.makePath('docker/orthanc', name), 'utf8'))
      assert.isTrue(config.AuthenticationEnabled, name)
      assert.isFalse(config.DicomAlwaysAllowStore, name)
      assert.isTrue(config.DicomCheckModalityHost, name)
      // A modality must name this archive's AE title (MLPS: a misdirected or probing association is refused).
      assert.isTrue(config.DicomCheckCalledAet, name)
      assert.equal(config.RegisteredUsers['imaging-app'], '${ORTHANC_PASSWORD}', name)
    }
    const local = JSON.parse(await readFile(app.makePath('docker/orthanc/orthanc.json'), 'utf8'))
    assert.isFalse(local.RemoteAccessAllowed)
  })
})
