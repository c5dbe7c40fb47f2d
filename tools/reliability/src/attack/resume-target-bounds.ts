/**
 * The bounds of the attack target's resumable scope (`resumeTcp` in attack-target.ts), small enough for
 * an attack to reach them within seconds; the resume attacks check the target against them.
 */
export const resumeTargetBounds = {
  /** `maxParkedSessions` of the scope. */
  maxParkedSessions: 16,
  /** `maxParkedBytes` of the scope. */
  maxParkedBytes: 4 * 1024 * 1024,
  /** `limits.handshakeTimeoutMs` of the scope: a stalled resume attempt is refused after this. */
  handshakeTimeoutMs: 2_000,
  /** `resume.graceMs` of the scope. */
  graceMs: 20_000,
} as const;
