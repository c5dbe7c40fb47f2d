/*
 * The directory's Lua scripts. Each runs atomically in Redis, so a check of a node's epoch and the
 * write it guards cannot be separated by another client's write: a node whose lease expired (and
 * that may not know it yet, frozen or cut off) can never overwrite what its successor wrote, nor
 * list a game after the reaper removed it. Keys are built from the prefix inside the scripts (the
 * directory runs on one Redis, never on Redis Cluster).
 *
 * Every change is also appended to the events stream (capped, approximately, at `maxlen`), from
 * which every node's mirror follows the directory.
 */

/**
 * Registers a node under a new epoch. KEYS: epoch counter, nodes hash, games hash, events stream.
 * ARGV: prefix, node name, lease ms, record JSON without epoch (its text after `{"epoch":N,`), maxlen,
 * the least epoch the node accepts (one more than its last: after Redis lost its data, the counter
 * starts again at 1, and a node must never be given an epoch it had, or its old tickets would pass).
 * Removes what the node published under older epochs (its games went with its lease), sets the
 * lease, stores the record, and returns the new epoch.
 */
export const registerScript = `
local prefix, node, leaseMs, recordTail, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local epoch = redis.call('INCR', KEYS[1])
local least = tonumber(ARGV[6])
if epoch < least then
  epoch = least
  redis.call('SET', KEYS[1], epoch)
end
local owned = prefix .. 'owned:' .. node
for _, id in ipairs(redis.call('SMEMBERS', owned)) do
  redis.call('HDEL', KEYS[3], id)
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'k', 'del', 'id', id,
    'why', 'its node ' .. node .. ' registered again under epoch ' .. epoch)
end
redis.call('DEL', owned)
redis.call('SET', prefix .. 'lease:' .. node, epoch, 'PX', leaseMs)
local record = '{"epoch":' .. epoch .. ',' .. recordTail
redis.call('HSET', KEYS[2], node, record)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'k', 'node-up', 'id', node, 'v', record)
return epoch
`;

/**
 * Renews a lease if it is still the node's epoch. KEYS: the lease. ARGV: epoch, lease ms.
 * Returns 1 when renewed, 0 when the lease expired or belongs to a newer epoch (the node must
 * register again).
 */
export const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/**
 * Puts (ARGV[3] is an entry) or deletes (ARGV[3] is empty) a game of a node, fenced by its epoch.
 * KEYS: the node's lease, its owned set, games hash, events stream. ARGV: epoch, game id, entry
 * JSON or '', why (for deletes), maxlen, the node's id suffix (`.a`).
 * Returns 1 when written, 0 when fenced (the lease is gone or of another epoch: nothing written),
 * -1 for an id that is not the node's.
 */
export const writeGameScript = `
local epoch, id, entry, why, maxlen, suffix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('GET', KEYS[1]) ~= epoch then return 0 end
if string.sub(id, -string.len(suffix)) ~= suffix then return -1 end
if entry ~= '' then
  redis.call('HSET', KEYS[3], id, entry)
  redis.call('SADD', KEYS[2], id)
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'k', 'put', 'id', id, 'v', entry)
elseif redis.call('HDEL', KEYS[3], id) == 1 then
  redis.call('SREM', KEYS[2], id)
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', maxlen, '*', 'k', 'del', 'id', id, 'why', why)
end
return 1
`;

/**
 * Removes every node whose lease is gone, with its games, saying why. KEYS: nodes hash, games hash,
 * events stream. ARGV: prefix, maxlen. Returns how many nodes it removed. Any node runs it; it is
 * idempotent, so several running it at once remove each node once.
 */
export const reapScript = `
local prefix, maxlen = ARGV[1], ARGV[2]
local removed = 0
for _, node in ipairs(redis.call('HKEYS', KEYS[1])) do
  if redis.call('EXISTS', prefix .. 'lease:' .. node) == 0 then
    local record = redis.call('HGET', KEYS[1], node) or ''
    local epoch = string.match(record, '^{"epoch":(%d+),') or '?'
    local why = 'its node ' .. node .. ' (epoch ' .. epoch .. ') lost its lease: it stopped renewing it'
    local owned = prefix .. 'owned:' .. node
    for _, id in ipairs(redis.call('SMEMBERS', owned)) do
      redis.call('HDEL', KEYS[2], id)
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'k', 'del', 'id', id, 'why', why)
    end
    redis.call('DEL', owned)
    redis.call('HDEL', KEYS[1], node)
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'k', 'node-down', 'id', node, 'why', why)
    removed = removed + 1
  end
end
return removed
`;

/**
 * Reserves a creation request for a game, first writer wins. KEYS: the request's key. ARGV: the
 * reservation (JSON), its lifetime ms, the longest reservation the caller reads. Returns `false`
 * (nil) when this call reserved it, or the reservation already there (another node's, or this
 * node's earlier one), to be parsed as hostile; one longer than ARGV[3] comes back as `oversized`
 * (garbage to the caller), so a value anyone wrote there never crosses to the node whole. A key of
 * another type fails the script (WRONGTYPE): the caller refuses the creation.
 */
export const reserveRequestScript = `
local existing = redis.call('GET', KEYS[1])
if existing then
  if string.len(existing) > tonumber(ARGV[3]) then return 'oversized' end
  return existing
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

/**
 * Replaces a reservation only if it still is `ARGV[1]` (compare and set): this node taking back a
 * reservation of its own whose game is gone. KEYS: the request's key. ARGV: the reservation read,
 * the new one, its lifetime ms. Returns 1 when replaced, 0 when it changed meanwhile.
 */
export const replaceRequestScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * Deletes a reservation only if it still is `ARGV[1]` (a game's node releasing it once the game is
 * unlisted; never someone else's). KEYS: the request's key. Returns 1 when deleted.
 */
export const releaseRequestScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`;
