import { afterAll, afterEach } from 'vitest';
import {
  type LocalNodeProcess,
  type LocalNodeSettings,
  startLocalNode,
} from '../src/cluster/local-node-process.ts';

/** A lobby cluster node in a child process (see `LocalNodeProcess`). */
export type ClusterNodeProcess = LocalNodeProcess;

/** What a node is started with; `shared` keeps it for the file's tests, not only this one. */
export interface ClusterNodeSettings extends LocalNodeSettings {
  readonly shared?: boolean;
}

const running: LocalNodeProcess[] = [];
const shared: LocalNodeProcess[] = [];
afterEach(() => Promise.all(running.splice(0).map((node) => node.kill())));
afterAll(() => Promise.all(shared.splice(0).map((node) => node.kill())));

/** Starts a node (SIGKILLed after the test, or the file with `shared`) and waits until it listens. */
export async function startClusterNode(settings: ClusterNodeSettings): Promise<ClusterNodeProcess> {
  const node = await startLocalNode(settings);
  (settings.shared ? shared : running).push(node);
  return node;
}
