/**
 * @msc/transport/compliance: the vitest suite every MSC transport must pass.
 *
 * It imports `vitest` (an optional peer dependency of @msc/transport), so it lives apart from the main entry.
 *
 * @example
 * ```ts
 * // packages/transport-example/test/compliance.test.ts
 * import { describeTransportCompliance } from '@msc/transport/compliance';
 * import { example } from '../src/index.ts';
 *
 * describeTransportCompliance('example()', async () => ({
 *   transport: example(),
 *   address: 'example:0',
 *   teardown: async () => {},
 * }));
 * ```
 *
 * @packageDocumentation
 */

export {
  describeTransportCompliance,
  type TransportComplianceFixture,
  type TransportComplianceOptions,
} from './describe-transport-compliance.ts';
export { FrameRecorder } from './frame-recorder.ts';
