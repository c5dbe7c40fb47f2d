import type { Attack } from './attack.ts';
import { handshakeAttacks } from './handshake-attacks.ts';
import { httpAttacks } from './http-attacks.ts';
import { identityAttacks } from './identity-attacks.ts';
import { lobbyAttacks } from './lobby-attacks.ts';
import { resumeAttacks } from './resume-attacks.ts';
import { sessionAttacks } from './session-attacks.ts';
import { sipAttacks } from './sip-attacks.ts';
import { transportAttacks } from './transport-attacks.ts';

/** Every attack of the suite, by class (issue 14), in class order. */
export const attackCatalog: readonly Attack[] = [
  ...httpAttacks,
  ...transportAttacks,
  ...handshakeAttacks,
  ...sessionAttacks,
  ...resumeAttacks,
  ...sipAttacks,
  ...lobbyAttacks,
  ...identityAttacks,
].sort((left, right) => left.attackClass - right.attackClass);
