import { test } from '@japa/runner'
import {
  PASS_LIMIT_FOR_TESTS,
  PASS_MS,
  forgetPasses,
  grantPass,
  passCount,
  passFor,
} from '#app/viewer/services/viewer_pass'

/** A request authenticated by a bearer token, as the pipeline leaves it (only what the pass reads). */
function tokenRequest(token: string, userId = 7, expiresAt: Date | null = null) {
  return {
    auth: {
      authenticatedViaGuard: 'api',
      user: {
        id: userId,
        role: 'clinic_staff',
        institutionId: 3,
        institution: { kind: 'clinic' },
        currentAccessToken: { identifier: `id-${token}`, expiresAt },
      },
    },
    request: {
      header: (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined),
      cookie: () => undefined,
    },
  } as any
}

test.group('Viewer frame pass', (group) => {
  group.each.setup(() => forgetPasses())

  test('a pass is for one credential and one study, for PASS_MS, never past the token expiry', ({
    assert,
  }) => {
    const now = 1_000_000
    grantPass(tokenRequest('a'), '1.2.3', now)
    assert.isNotNull(passFor(tokenRequest('a'), '1.2.3', now + PASS_MS - 1))
    assert.isNull(passFor(tokenRequest('a'), '1.2.4', now), 'another study')
    assert.isNull(passFor(tokenRequest('b'), '1.2.3', now), 'another token')
    assert.isNull(passFor(tokenRequest('a'), '1.2.3', now + PASS_MS), 'lapsed')
    grantPass(tokenRequest('c', 7, new Date(now + 1000)), '1.2.3', now)
    assert.isNotNull(passFor(tokenRequest('c'), '1.2.3', now + 999))
    assert.isNull(passFor(tokenRequest('c'), '1.2.3', now + 1000), 'past the token expiry')
  })

  test('the passes are bounded: the oldest go first', ({ assert }) => {
    const now = 2_000_000
    for (let i = 0; i < PASS_LIMIT_FOR_TESTS + 50; i++)
      grantPass(tokenRequest(`t${i}`), '1.2.3', now)
    assert.isAtMost(passCount(), PASS_LIMIT_FOR_TESTS)
    assert.isNull(passFor(tokenRequest('t0'), '1.2.3', now))
    assert.isNotNull(passFor(tokenRequest(`t${PASS_LIMIT_FOR_TESTS + 49}`), '1.2.3', now))
  })

  test('forgetting by account or token drops exactly those passes', ({ assert }) => {
    const now = 3_000_000
    grantPass(tokenRequest('x', 1), '1.2.3', now)
    grantPass(tokenRequest('y', 2), '1.2.3', now)
    forgetPasses((pass) => pass.viewer.id === 1)
    assert.isNull(passFor(tokenRequest('x'), '1.2.3', now))
    assert.isNotNull(passFor(tokenRequest('y'), '1.2.3', now))
    forgetPasses((pass) => pass.tokenId === 'id-y')
    assert.isNull(passFor(tokenRequest('y'), '1.2.3', now))
  })
})
