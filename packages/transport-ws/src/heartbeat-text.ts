/**
 * The text messages of the heartbeat protocol, for peers that cannot send WebSocket pings (browsers); frames are
 * always binary messages, so any other text message breaks the protocol.
 */
export const pingText = 'msc:ping';
/** See {@link pingText}. */
export const pongText = 'msc:pong';
