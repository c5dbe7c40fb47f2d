/**
 * The size budget of the minimal browser client (`minimal-client.ts`), and its measurement beside
 * capnweb's (`capnweb-client.ts`). `npm test` fails when the client exceeds the budget
 * (`test/size.test.ts`); the bench report prints both sizes with the largest packages and modules.
 */
import { type BundleSize, measureBundle, type SizeSource } from './bundle-size.ts';

/**
 * Most bytes the minimal browser client may take, minified and gzipped at level 9. Lower it when the
 * client shrinks, so what was won stays won.
 */
// 30,798 -> 31,038 B with values mode (issue 18): its writing, sending and reading stay behind
// enableMessagePortValues() (value-mode.ts), out of this bundle; what remains is the seam in the
// session, the outbox and the hello, and the inbox's delivery of a values frame.
// The call context (issue 20: cancellation, deadlines, trace context) takes it 31,038 -> 32,735 B; a call
// context part a page enables, as it enables streams and resumption, would win most of it back.
// Its review fixes (a per-call context made on demand for a context-less call that asks, the
// session's signal listener removed at its end, long deadlines re-armed) take it 32,735 -> 32,799 B.
// Passing a values frame's declared size on to the values channel, which checks the frame's estimate
// against it (review 2, finding 7), takes it 32,799 -> 32,807 B. Keeping values off the byte-only hot
// path (the inbox checks a frame's type only when its connection carries values; one shape for an
// outgoing message, review 2 finding 11) takes it 32,807 -> 32,832 B. The session's wiring moved out
// of its constructor into session-assembly.ts (session.ts back within 400 lines, issue 15) takes it
// 32,832 -> 32,870 B. A result that settles past its deadline, before the deadline's timer ran, is
// the timeout (deterministic under load) takes it 32,870 -> 32,895 B. The call context behind
// seams (issue 17: enableCallContext() for the serving side, withOptions() installing the calling
// side; no CallScope, ContextResult or context field reader in a page that uses neither) takes it
// 32,895 -> 32,172 B; the served contexts' bookkeeping (per-answer contexts, Finish, Cancel, the
// session's end) moving into that part (served-contexts.ts) takes it 32,172 -> 32,026 B. Trace
// context (issue 20): the tables' hooks to a session's call tracing (one branch each way, off by
// default) take it 32,026 -> 32,298 B; the tracing itself (spans, their ends, the trace context put in
// a served call's field) stays behind enableCallTracing() (call-tracing.ts), out of this bundle.
// Listening behind a seam (issue 17: enableListening(), listening-part.ts; a page dials, so the
// acceptor with its maxPendingSessions admission and refusal log stays out) takes it 32,298 -> 32,205 B.
// The session's code using the protocol's tags and kinds as top-level constants (inlined as literals
// by a bundler) instead of properties of MessageType, DescriptorKind, ... takes it 32,205 -> 31,997 B.
// The stream messages' form checks moving from parseMessage into the stream part (wire/stream-messages.ts;
// a session without the part then dropped those messages unread) takes it 31,997 -> 31,904 B. A scope
// session's resume options made by the resumption part (resume/scope-resume-options.ts), the scope
// keeping only its dial, takes it 31,904 -> 31,845 B. A session without the part refusing any stream
// message as forged (protocol, naming enableStreams(); it dropped them unread) costs it ~20 B (31,875 B
// measured on top of the stream pump's batch check). A page's WebSocket connection without the Node
// paths (browser-web-socket-connection.ts: no ws ping, pause, cork, terminate or WS_ERR_) takes it
// 31,875 -> 31,595 B. One sentence for every part a program has not enabled (not-enabled.ts) takes
// it 31,595 -> 31,586 B. ContractRegistry.register()'s checks behind enableContracts()
// (@msc/serialization's browser entry leaves contract-definition.ts out; registerContract() always works)
// take it 31,586 -> 31,276 B. Shorter words, same fixes, in the unsupported-value messages (31,112 B)
// and the connection lifecycle's (31,025 B); stream batches sized by bytes (74cd980) add 9 B: 31,034 B.
// The codec's frame check and reader one walk run twice (cbor-decoder.ts; the frame scanner gone):
// 31,090 -> 30,669 B (main at e912ea9 measured 31,090 B). The encoder's walk writing a claimed value in
// one method (EncodeWalk.write, no Claim enum): 30,669 -> 30,497 B. The reader refusing the half and
// single floats the writer never writes: 30,497 -> 30,316 B. Bulk bytes copied once (issue 18: the
// writer puts a byte array of 32 KiB or more straight into a frame buffer of its own, of exact size,
// that a MessagePort moves instead of copying, and checks that no bulk array changed length
// meanwhile) take it 30,316 -> 30,514 B. The session's internal methods named with a trailing _ and
// shortened by every build (config/internal-properties.js): 30,514 -> 30,375 B. A bulk frame a plain
// Uint8Array (its slice() a copy, issue 18): 30,375 -> 30,394 B. The outbox flushing once the turn's
// microtasks have run (a pipelined chain's returns in one frame, issue 18; whenWritable() waits for that
// flush): 30,394 -> 30,450 B. Shorter send-after-close and browser dial messages: 30,450 -> 30,434 B.
// Bulk offsets kept from the frame's start (the bulk bytes' place moves with the frame): +7 B.
// Floating references sunk once a payload's encoding succeeded (CapabilityCodec.commit): +36 B.
// Node recognised by process.versions.node (a page's process polyfill gets no nextTick flush), one
// detection shared by the transport kit and the outbox, and the fix-naming words the shorter messages
// had lost ("a whole number", "registered", "the allocation failed"): 30,477 -> 30,529 B (measured
// apart on 30,434 B: +33 and +25 B).
// A call result that is a native promise (issue 18: a Promise subclass whose prototype chain holds the
// pipelining proxy, resolving once settled and taken; `await` then costs 3 microtask turns, not 5), its
// facade state split out (facade-state.ts) and made on first use, and the session's encoder marking its
// walks (markEncoding) take it 30,529 -> 30,862 B.
// Error messages describe a call result without reading its constructor (which takes it): +10 B.
// The heartbeat takes a late tick's lateness off the silence (a blocked event loop is not a dead peer): +22 B.
// Running an authenticator behind a seam (enableAuthentication(), authentication-part.ts; a page's
// unauthenticated() sessions exchange nothing, so the exchange with its context, its message queue
// and its failure mapping stays out): 30,894 -> 30,718 B (97,016 -> 96,314 B minified).
// The page's WebSocket connection on the kit's DrivenConnectionCore (no in-band close or abort, settle,
// broken, allocation failure, read pause, flow-control credit or frame-by-frame writes, which only
// DrivenConnection carries): 30,718 -> 30,527 B (96,314 -> 95,353 B minified).
// The walk aborting the stream ends in a failed call's arguments installed by the first stream's
// queue (stream-abort-walk.ts; a page that makes no stream has none to abort): 30,527 -> 30,378 B
// (95,353 -> 94,825 B minified).
// Scope logging behind a seam (enableLogging(), logging-part.ts; a page's scope without a logger
// carries no session-end log): 30,378 -> 30,266 B (94,825 -> 94,620 B minified).
// Writing and building registered contracts' instances installed by the first definition
// (contract-instances.ts; a page that registers none reads contracts as UnknownContract):
// 30,266 -> 30,099 B (94,620 -> 94,245 B minified).
// A result handler's first settlement listener unsubscribed by a bound method, not a closure per call
// (promise-handler.ts): 30,099 -> 30,098 B (94,245 -> 94,268 B minified).
// A call result listens to its handler through its settling method bound to it, not an arrow function
// (facade.ts): 30,098 -> 30,096 B (94,268 -> 94,273 B minified).
// Finishing returns (protocol version 5, issue 18: no Finish after a Return that can name no capability;
// the TargetFinished return kind, the stand-ins a descriptor naming a finished answer makes and the
// AnswerCopy that settles them, the carried-descriptor flag of an encoding) take it 30,096 -> 30,745 B
// (94,273 -> 96,034 B minified).
// A handshake timer that ran late because our own event loop was blocked is re-armed once for its
// lateness (handshake.ts), so the peer's waiting messages are read first: 30,745 -> 30,792 B
// (96,034 -> 96,166 B minified).
// On Node the encoder's shared buffer is a plain Uint8Array over allocUnsafeSlow memory, so each
// message's view skips Node's Buffer constructor (cbor-encoder.ts; W2 7-13% faster): 30,792 -> 30,798 B
// (96,166 -> 96,193 B minified).
// The first object of a key list in a frame is written as a map, a record only from the second
// (cbor-encoder.ts; a call with one object argument decodes ~20% faster, 7 B smaller): 30,798 -> 30,855 B
// (96,193 -> 96,332 B minified).
// A call result's consumer view for sequences (for await, capacity, batchSize) installed when the stream
// ends' module loads (result-streams.ts): 30,855 -> 30,620 B (96,332 -> 95,529 B minified).
// A scope's listeners and their counts made by its first listen() (scope-listeners.ts, installed by
// enableListening()): 30,620 -> 30,575 B (95,529 -> 95,347 B minified).
// Values mode's channel tracing and delivering what it reads (no Session.receiveValue): 30,575 -> 30,564 B.
// The five stream messages handed to the stream part through one method (StreamPart.receive_; the
// bridge routes and checks them, stream-messages.ts): 30,564 -> 30,526 B (95,293 -> 95,169 B minified).
// One requireVersion() for the six refusals of what needs a later protocol version: 30,526 -> 30,505 B.
// One failedCall() (@msc/eventual/handler) for the eight calls that never reach a target: 30,505 -> 30,468 B.
// One settlementError() and resolutionOf() for what a settled result's calls and whenResolved() give,
// which the local promise, questions, promise imports and exports each spelled: 30,468 -> 30,373 B.
// The scope's describe() and the outbox's later() dropped for describeError() and the kit's macrotask(): -24 B.
// A question's call once settled through the local promise's callSettled(): 30,349 -> 30,342 B.
// A scope passing five session options as they are (undefined is unset), not spread in when set: -27 B.
// The browser's WebSocket connection no longer fills in receiveBufferBytes and coalesceWrites, which
// DrivenConnectionCore never reads (its settings type leaves them out): 30,315 -> 30,277 B.
// The WebSocket settings without receiveBufferBytes (the Node connection takes the default): -13 B.
// The core handing its scheduler setting to its inbox as it is (undefined is unset): -4 B.
// A CBOR map read as a plain object is held to limits.maxRecordKeys, as a record is (cbor-decoder.ts):
// 30,260 -> 30,287 B (93,819 -> 94,006 B minified).
// A call's context result and the promise view use settlementError() and resolutionOf()
// (seam/settlement-outcomes.ts), which they had spelled out again: 30,287 -> 30,285 B.
// Questions and answers kept in slot arrays instead of Maps (id-table.ts, issue 18: a promoted Map's
// churn allocates in the old generation): 30,285 -> 30,656 B (94,006 -> 95,224 B minified). The table
// growing to 32 slots on a collision, for a long-lived entry in the way, and dropping an empty
// overflow Map: 30,656 -> 30,690 B.
// ByteParts (issue 18: a byte stream's batch sent as the chunks written, each copied once into the frame,
// not joined into a new array first): the class with its piece check and the encoder's branch for it
// take it 30,690 -> 30,809 B (95,299 -> 95,732 B minified).
// The encoder resetting its per-frame arrays only when a frame used them (setting an array's length is a
// runtime call even when it changes nothing; W2 0.82-0.87x in paired rounds): 30,809 -> 30,832 B.
// One addBulk() for the bulk bookkeeping writeBytes and writeByteParts had each spelled out: +3 B.
// The decoder reading 32- and 64-bit fields from the frame's bytes, not a DataView of its buffer, and
// splitFrame copying messages out of a small frame (issue 18: asking a typed array of at most 64 bytes for
// its buffer, or a view of it, moves it off V8's heap, about 1 µs a message; memory W1 0.96x, worker W3
// 0.83x in paired rounds): 30,835 -> 30,875 B (95,876 B minified).
// The collector backstop registering an instance once its turn's microtasks have run, and only if it is
// still undisposed (issue 18: a registration's old-generation record kept the instance's state alive
// through minor collections; W3 0.85x over a MessageChannel, 0.94x over TCP in paired rounds):
// 30,875 -> 31,081 B (96,322 B minified).
// A facade's first bound method in two fields, its map made for a second name (no Map per pipelined
// result: W3 0.94x), and splitFrame viewing small frames at an offset again: 31,081 -> 31,128 B (96,487 B
// minified).
// The collector's registration method named registerIfHeld (a name ending in _ is shortened by the build,
// and FacadeState's declaration ships): +4 B.
// The collector's bound on what waits for registration (512 instances) and its microtask fallback where
// there is no setTimeout (from a review: a turn of local calls that never runs out of microtasks held all
// it made): 31,132 -> 31,154 B (96,596 B minified).
// The outbox sending a lone call or return in a microtask, and waiting for the turn's end only while the
// last frame's calls run, a stream is open or the handshake is under way (issue 18: Node's tick costs a
// third of a microsecond a message; memory W1 0.91-0.97x, worker W1 0.92-0.96x in paired rounds):
// 31,154 -> 31,302 B (97,016 B minified).
// The per-frame paths reading a frame's length, not its byteLength (an inline-cache call in Node 20's
// optimized code; the kit's frameSize() for byte and values frames): 31,302 -> 31,312 B (96,932 B minified).
// A connection's send() refusing what is neither a Uint8Array nor a values frame with a TypeError naming it
// (its size would be NaN, which no count or comparison takes): 31,312 -> 31,366 B (97,068 B minified).
// Gather writes (issue 18: a byte stream's bulk batches leave over TCP from the producer's own chunks;
// TCP S2 1.3-1.5x its baseline in paired rounds): the gathering itself (encodeParts, gatherBulk, the
// kit's sendParts and PartsFrame) stays out of a page, installed with the stream part; what remains is
// the outbox's third message form and its send, the codec's bulk finisher parameter and the core's
// send check shared with sendParts: 31,353 -> 31,535 B (97,050 -> 97,410 B minified; 31,353 B is the
// client measured at 6cc1437, under the budget of 31,366 B above). The codec telling a gathered frame
// from an array before its size check, not by an accident of `undefined > limit` (review): +7 B
// (31,542 B, 97,436 B minified). The codec's gathered encode reached through a module function its
// static block binds (encodeFinishedBy), not an internal method that its published declarations
// would name: +26 B (31,568 B, 97,483 B minified).
// A call whose payload names no capability is not walked for proxies on the serving side (the
// answer table's carried flag, markSerialized's second parameter and the local dispatch's check of
// it; a page serves the callbacks it hands out): +2 B (31,570 B).
// Packed frames of small messages written into a shared pool (frame-layout.ts: a typed array of more
// than 64 bytes made on its own costs a microsecond off V8's heap): +64 B (31,634 B, 97,669 B minified).
// A call queued on an unresolved promise keeping a list that holds no proxy as it is, and a session's
// decoded data marked as such again when the call goes on (promise-handler.ts, data-copy.ts): +144 B
// (31,778 B, 98,057 B minified).
// A turn's first call or return sent early over a connection to a peer running in parallel (the
// outbox's `early` path and its failure reported from a later microtask; a page's worker port takes
// it): +73 B (31,851 B).
// The early send's check that the message is the turn's first dropped (no flush scheduled already says
// so): 31,851 -> 31,846 B.
// A peer's contract shapes of over 1,024 characters not kept in the registry's plan cache, and an unknown
// contract's refusal quoting the first 80 characters of its names (from a review: megabyte names filled
// the process-wide cache with gigabytes): 31,846 -> 31,856 B (98,253 B minified).
// From a review against a hostile peer in a session: a call finished before its Return counting against
// maxAnswers until it settles, a refused capability in a Return checked while its question is still open
// (so the session's end settles it), a return ending a call's context only while the id is still that
// call's: 31,856 -> 31,911 B (98,411 B minified). Settlements set off by settlements run at once up to 64
// deep and queued past that, drained by the outermost (a chain of 100,000 pipelined calls overflowed the
// stack): 31,911 -> 32,143 B (98,944 B minified). The steps reached through a module function bound in
// the class's static block (no static member in the published declarations), and a followed capability's
// reference taken as its result settles: +9 B (32,152 B, 98,944 B minified).
export const minimalClientGzipBudget = 32_152;

/** The size of the minimal @msc browser client and of capnweb's, bundled the same way. */
export async function measureClientSizes(source: SizeSource): Promise<BundleSize[]> {
  return [
    await measureBundle('@msc', new URL('./minimal-client.ts', import.meta.url), source),
    await measureBundle('capnweb', new URL('./capnweb-client.ts', import.meta.url), source),
  ];
}
