import env from '#start/env'

/*
| Sessions, logins and the password policy (MLPS 8.1.4.1; ASVS 2, 3, 7). Every figure can be set in .env.
*/
export type PasswordProfile = 'mlps' | 'asvs'

const securityConfig = {
  session: {
    /** A session nobody used for this long ends (ASVS 3.3.2; MLPS 8.1.4.1 c: 登录连接超时自动退出). */
    idleMinutes: env.get('SESSION_IDLE_MINUTES', 30),
    /** A session ends this long after its login, however busy (ASVS 3.3.4). */
    absoluteHours: env.get('SESSION_ABSOLUTE_HOURS', 12),
  },
  login: {
    /** Wrong passwords in a row before the account is locked for a while. */
    maxFailures: env.get('LOGIN_MAX_FAILURES', 5),
    lockoutMinutes: env.get('LOGIN_LOCKOUT_MINUTES', 15),
    /** Login attempts per client address per window (whatever the usernames). */
    perIpAttempts: env.get('LOGIN_RATE_PER_IP', 30),
    /** Login attempts per username per window (whatever the addresses). */
    perAccountAttempts: env.get('LOGIN_RATE_PER_ACCOUNT', 10),
    rateWindowMinutes: env.get('LOGIN_RATE_WINDOW_MINUTES', 15),
  },
  /**
   * "mlps" (等保: complexity, change every N days, no reuse of the last N) or "asvs" (ASVS 2.1: length,
   * not a common password, no forced rotation). The two standards disagree; the hospital chooses.
   */
  passwordProfile: env.get('PASSWORD_PROFILE', 'mlps') as PasswordProfile,
}

export default securityConfig
