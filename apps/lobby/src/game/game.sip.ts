/*
 * The module a game SIP runs (bundled to JavaScript by `sipGameHost`, since Node 20 worker threads
 * cannot load TypeScript). The SIP's root is the game's IGameSession; the init data is its setup.
 * Nothing else crosses into the SIP, so the game can only affect the world through the seats it
 * hands out, and its crash ends only this SIP.
 */
import { proxy } from '@msc/eventual';
import { runSip } from '@msc/sip';
import type { GameSetup, IGameSession } from '../contracts.ts';
import { GameSessionRoot } from './match.ts';

runSip<unknown, GameSetup>(({ init }) =>
  proxy<IGameSession>(
    new GameSessionRoot(init, (message) => {
      // A real uncaught error: the SIP machinery reports it to the parent and ends this SIP.
      setTimeout(() => {
        throw new Error(`game crashed: ${message}`);
      }, 0);
    }),
  ),
);
