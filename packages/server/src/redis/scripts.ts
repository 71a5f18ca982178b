/**
 * The Lua scripts of the Redis store. Every change to a room runs as one script, so Redis applies it
 * atomically: two nodes racing for a room's last place, a signal crossing a peer's move to another
 * node, a reaper removing a peer that resumes at the same moment — each sees all of the other or none.
 *
 * Keys (P is the prefix):
 * - `P room:{r}:m`      hash: peer id → member record `{n: node, s: join order, st: "on"|"parked", nm?, ro?, why?}`
 * - `P room:{r}:seq`    join order counter (the first peer of a room is the caller)
 * - `P room:{r}:hold`, `:holdm`  signals held for the next peer (list) and their sender, id and bytes (hash)
 * - `P peer:{id}`       the room of a peer; `P peer:{id}:q` / `:qb` its resume queue (list) and its bytes
 * - `P node:{n}:s`      stream of deliveries to node n (`t` target peer, `f` frame; `r` a relay frame with its
 *   sender's node `n` and id `p`; or `k` to close its connection),
  read by n through a consumer group that records how far it has read
 * - `P node:{n}:peers`  set of the peers attached to node n
 * - `P nodes`           sorted set: node → last heartbeat (ms)
 * - `P parked`          sorted set: "room\npeer" → when its resume grace ends (ms)
 * - `P count:rooms`, `P count:parked`, `P count:bytes`  the cluster-wide totals its caps bound: rooms,
 *   parked places, and bytes of held signals and resume queues (kept exact by these scripts alone:
 *   nothing that they count expires by itself)
 *
 * Keys are built inside the scripts, so this needs one Redis (or a primary with replicas), not Redis Cluster.
 */

/**
 * Helpers every script starts with (CORE: those a signal needs; PRELUDE: all). They are defined anew
 * at every call, so the script that runs for every signal defines only what it uses. ARGV[1] is
 * always the key prefix. "Queue limits" are three arguments: signals and bytes one resume queue
 * holds, and the bytes all holds and queues may hold.
 */
const CORE = `
local P = ARGV[1]
local STREAM_MAXLEN = 100000
local function roomKey(room, part) return P .. 'room:' .. room .. ':' .. part end
local function record(room, id)
  local v = redis.call('HGET', roomKey(room, 'm'), id)
  if v then return cjson.decode(v) end
  return nil
end
local COUNT_ROOMS, COUNT_PARKED, COUNT_BYTES = P .. 'count:rooms', P .. 'count:parked', P .. 'count:bytes'
local function count(key) return tonumber(redis.call('GET', key) or '0') end
-- Whether \`bytes\` more may wait in holds and queues, cluster-wide; if so they are counted.
local function takeBytes(bytes, maxTotal)
  if count(COUNT_BYTES) + bytes > maxTotal then return false end
  redis.call('INCRBY', COUNT_BYTES, bytes)
  return true
end
-- A frame for member id (record m): to its node's stream while attached, to its resume queue while
-- parked. → nil, or why it was refused: 'queue-full' | 'server-full'
local function deliver(id, m, frame, maxQueue, maxQueueBytes, maxTotal)
  if m.st == 'on' then
    redis.call('XADD', P .. 'node:' .. m.n .. ':s', 'MAXLEN', '~', STREAM_MAXLEN, '*', 't', id, 'f', frame)
    return nil
  end
  local q, qb = P .. 'peer:' .. id .. ':q', P .. 'peer:' .. id .. ':qb'
  local bytes = tonumber(redis.call('GET', qb) or '0')
  if redis.call('LLEN', q) >= maxQueue or bytes + #frame > maxQueueBytes then return 'queue-full' end
  if not takeBytes(#frame, maxTotal) then return 'server-full' end
  redis.call('RPUSH', q, frame)
  redis.call('INCRBY', qb, #frame)
  return nil
end
`;

/** The rest of the helpers, for the scripts that change who is where (all but SIGNAL). */
const PRELUDE = `${CORE}
-- Forgets a peer's resume queue (delivered on a resume, or dropped with the place) and uncounts its bytes.
local function dropQueue(id)
  local qb = P .. 'peer:' .. id .. ':qb'
  redis.call('DECRBY', COUNT_BYTES, tonumber(redis.call('GET', qb) or '0'))
  redis.call('DEL', P .. 'peer:' .. id .. ':q', qb)
end
-- Forgets a room's hold (delivered, expired, or its sender gone) and uncounts its bytes.
local function dropHold(room)
  redis.call('DECRBY', COUNT_BYTES, tonumber(redis.call('HGET', roomKey(room, 'holdm'), 'bytes') or '0'))
  redis.call('DEL', roomKey(room, 'hold'), roomKey(room, 'holdm'))
end
-- The members of a room but one, oldest first, as the welcome lists them.
local function others(room, except)
  local list = {}
  local flat = redis.call('HGETALL', roomKey(room, 'm'))
  for i = 1, #flat, 2 do
    if flat[i] ~= except then
      local m = cjson.decode(flat[i + 1])
      table.insert(list, { id = flat[i], name = m.nm, role = m.ro, s = m.s })
    end
  end
  table.sort(list, function(a, b) return a.s < b.s end)
  return list
end
local function broadcast(room, except, frame, maxQueue, maxQueueBytes, maxTotal)
  local flat = redis.call('HGETALL', roomKey(room, 'm'))
  for i = 1, #flat, 2 do
    if flat[i] ~= except then deliver(flat[i], cjson.decode(flat[i + 1]), frame, maxQueue, maxQueueBytes, maxTotal) end
  end
end
-- The deliveries node n has not read yet (those after its read group's position; the stream keeps
-- what was read until n trims it), for peer id or, without id, for everyone; taken out of the stream.
-- → list of {target, frame}, oldest first
local function unread(n, id)
  local key = P .. 'node:' .. n .. ':s'
  local taken = {}
  local groups = redis.pcall('XINFO', 'GROUPS', key)
  if groups.err then return taken end
  local after = '-'
  for _, g in ipairs(groups) do
    for i = 1, #g, 2 do
      if g[i] == 'last-delivered-id' then after = '(' .. g[i + 1] end
    end
  end
  for _, entry in ipairs(redis.call('XRANGE', key, after, '+')) do
    local f = {}
    for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
    if f.f and (not id or f.t == id) then
      table.insert(taken, { f.t, f.f })
      redis.call('XDEL', key, entry[1])
    end
  end
  return taken
end
-- Removes a member and tells the others; false when it was not there (another node removed it first).
local function remove(room, id, leftFrame, maxQueue, maxQueueBytes, maxTotal)
  local m = record(room, id)
  if not m then return false end
  redis.call('HDEL', roomKey(room, 'm'), id)
  redis.call('SREM', P .. 'node:' .. m.n .. ':peers', id)
  redis.call('DEL', P .. 'peer:' .. id)
  dropQueue(id)
  if m.st == 'parked' then redis.call('DECR', COUNT_PARKED) end
  redis.call('ZREM', P .. 'parked', room .. '\\n' .. id)
  if redis.call('HGET', roomKey(room, 'holdm'), 'from') == id then dropHold(room) end
  broadcast(room, id, leftFrame, maxQueue, maxQueueBytes, maxTotal)
  if redis.call('HLEN', roomKey(room, 'm')) == 0 then
    dropHold(room)
    redis.call('DEL', roomKey(room, 'seq'))
    redis.call('DECR', COUNT_ROOMS)
  end
  return true
end
`;

/**
 * JOIN: ARGV P, room, id, node, capacity, record JSON (nm, ro), peer-joined frame, queue limits (3),
 * resume ("1": take the place back, if it is in the room and its nonce is the token's), the token's
 * nonce, the place's new nonce, the most rooms the cluster holds.
 * → {"resumed", others JSON, queued frames, join order} | {"joined", others JSON, held frames, join order} |
 *   {"full", size} | {"resume-failed"} | {"server-full", rooms}
 */
export const JOIN = `${PRELUDE}
local room, id, node, capacity = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local rec, joinedFrame = cjson.decode(ARGV[6]), ARGV[7]
local maxQueue, maxQueueBytes, maxTotal = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local mk = roomKey(room, 'm')
local old = record(room, id)
if ARGV[11] == '1' then
  -- A token brings back only a place that exists and carries its nonce: one that left or expired,
  -- or a token already spent on a resume, brings nobody back.
  if not old or old.g ~= ARGV[12] then return { 'resume-failed' } end
  -- The peer comes back: this node holds it from now on. A connection another node still thinks
  -- attached (its drop not yet noticed) is closed there.
  if old.st == 'on' and old.n ~= node then
    redis.call('XADD', P .. 'node:' .. old.n .. ':s', 'MAXLEN', '~', STREAM_MAXLEN, '*', 't', id, 'k', '1')
  end
  if old.st == 'parked' then redis.call('DECR', COUNT_PARKED) end
  redis.call('SREM', P .. 'node:' .. old.n .. ':peers', id)
  local from = old.n
  old.n, old.st, old.why, old.g = node, 'on', nil, ARGV[13]
  redis.call('HSET', mk, id, cjson.encode(old))
  redis.call('SADD', P .. 'node:' .. node .. ':peers', id)
  redis.call('ZREM', P .. 'parked', room .. '\\n' .. id)
  -- What was sent to it and not yet read where it was, then what waited in its queue: in order.
  local frames = {}
  if from ~= node then
    for _, pair in ipairs(unread(from, id)) do table.insert(frames, pair[2]) end
  end
  for _, frame in ipairs(redis.call('LRANGE', P .. 'peer:' .. id .. ':q', 0, -1)) do table.insert(frames, frame) end
  dropQueue(id)
  return { 'resumed', cjson.encode(others(room, id)), frames, old.s }
end
if old then return { 'full', redis.call('HLEN', mk) } end
local size = redis.call('HLEN', mk)
if size >= capacity then return { 'full', size } end
if size == 0 then
  if count(COUNT_ROOMS) >= tonumber(ARGV[14]) then return { 'server-full', count(COUNT_ROOMS) } end
  redis.call('INCR', COUNT_ROOMS)
end
rec.s = redis.call('INCR', roomKey(room, 'seq'))
rec.n, rec.st, rec.g = node, 'on', ARGV[13]
-- The others hear of the newcomer before anything it sends them.
broadcast(room, id, joinedFrame, maxQueue, maxQueueBytes, maxTotal)
redis.call('HSET', mk, id, cjson.encode(rec))
redis.call('SADD', P .. 'node:' .. node .. ':peers', id)
redis.call('SET', P .. 'peer:' .. id, room)
local held = {}
local holder = redis.call('HGET', roomKey(room, 'holdm'), 'from')
if holder and holder ~= id then
  held = redis.call('LRANGE', roomKey(room, 'hold'), 0, -1)
  dropHold(room)
end
return { 'joined', cjson.encode(others(room, id)), held, rec.s }
`;

/**
 * SIGNALS: the signals and relay frames a node received in one turn, in the order its clients sent
 * them, in one call (one command per turn instead of one per signal: the client library's work per
 * command is most of a cross-node signal's cost; and one path for both keeps a sender's signals and
 * relay frames in order). ARGV P, hold TTL, hold max signals, hold max bytes, queue limits (3), the
 * calling node, then six per item: kind ("s" signal, "r" relay frame), room, from, to ("" for the only
 * other peer), frame, a fresh hold id.
 * → three per item: "delivered" | "held" | "unknown-peer" | "target-required" | "hold-full" |
 *   "queue-full" | "server-full" | "not-member" | "away" (a relay frame to a parked peer); for "held",
 *   whether it started the hold ("1"/"0") and the hold's id; "" otherwise.
 *
 * A relay frame (binary: Lua strings are byte strings) goes to its target's node stream as `r`, with
 * the sender's node `n` and id `p` (to answer a refusal), and only to a peer attached to a node: a
 * parked peer's resume queue takes no relay bytes.
 */
export const SIGNALS = `${CORE}
local holdTtl, holdMax, holdMaxBytes = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local maxQueue, maxQueueBytes, maxTotal = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local function signal(room, from, to, frame, holdId)
  local mk = roomKey(room, 'm')
  local m
  if to == '' then
    -- The room in one call: whether the sender is in it, and the one other member with its record.
    local flat = redis.call('HGETALL', mk)
    local member, others, target, rec = false, 0, nil, nil
    for i = 1, #flat, 2 do
      if flat[i] == from then
        member = true
      else
        others = others + 1
        target, rec = flat[i], flat[i + 1]
      end
    end
    if not member then return { 'not-member' } end
    if others > 1 then return { 'target-required' } end
    if others == 0 then
      local hk, hm = roomKey(room, 'hold'), roomKey(room, 'holdm')
      local count = redis.call('LLEN', hk)
      local bytes = tonumber(redis.call('HGET', hm, 'bytes') or '0')
      if count >= holdMax or bytes + #frame > holdMaxBytes then return { 'hold-full' } end
      if not takeBytes(#frame, maxTotal) then return { 'server-full' } end
      local started = '0'
      if count == 0 then
        redis.call('DEL', hm)
        redis.call('HSET', hm, 'from', from, 'id', holdId, 'bytes', 0)
        started = '1'
      end
      redis.call('RPUSH', hk, frame)
      redis.call('HINCRBY', hm, 'bytes', #frame)
      -- No expiry on the keys: the sender's node expires the hold on time and tells the sender, and a
      -- hold whose sender's node died goes with its sender, once the sender is reaped.
      return { 'held', started, redis.call('HGET', hm, 'id') }
    end
    to = target
    m = cjson.decode(rec)
  else
    if redis.call('HEXISTS', mk, from) == 0 then return { 'not-member' } end
    if to == from then return { 'unknown-peer' } end
    m = record(room, to)
    if not m then return { 'unknown-peer' } end
  end
  local refused = deliver(to, m, frame, maxQueue, maxQueueBytes, maxTotal)
  if refused then return { refused } end
  return { 'delivered' }
end
local node = ARGV[8]
local function relay(room, from, to, frame)
  if redis.call('HEXISTS', roomKey(room, 'm'), from) == 0 then return { 'not-member' } end
  if to == from then return { 'unknown-peer' } end
  local m = record(room, to)
  if not m then return { 'unknown-peer' } end
  if m.st ~= 'on' then return { 'away' } end
  redis.call('XADD', P .. 'node:' .. m.n .. ':s', 'MAXLEN', '~', STREAM_MAXLEN, '*', 't', to, 'r', frame, 'n', node, 'p', from)
  return { 'delivered' }
end
local replies = {}
for i = 9, #ARGV, 6 do
  local r
  if ARGV[i] == 'r' then
    r = relay(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
  else
    r = signal(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
  end
  replies[#replies + 1] = r[1]
  replies[#replies + 1] = r[2] or ''
  replies[#replies + 1] = r[3] or ''
end
return replies
`;

/** HOLD_EXPIRE: ARGV P, room, hold id → the number of signals discarded (0 when that hold is gone already). */
export const HOLD_EXPIRE = `${PRELUDE}
local room, holdId = ARGV[2], ARGV[3]
if redis.call('HGET', roomKey(room, 'holdm'), 'id') ~= holdId then return 0 end
local held = redis.call('LLEN', roomKey(room, 'hold'))
dropHold(room)
return held
`;

/** LEAVE: ARGV P, room, id, peer-left frame, queue limits (3) → 1 when removed. */
export const LEAVE = `${PRELUDE}
if remove(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])) then return 1 end
return 0
`;

/**
 * PARK: ARGV P, room, id, node, grace ends at (ms), reason, the most parked places of the cluster
 * → 1 when parked; 0 when the peer is already back on another node (its record names that node, and
 * it is left alone); -1 when the cluster keeps as many parked places as it may (the caller removes it).
 */
export const PARK = `${PRELUDE}
local room, id, node = ARGV[2], ARGV[3], ARGV[4]
local m = record(room, id)
if not m or m.n ~= node or m.st ~= 'on' then return 0 end
if count(COUNT_PARKED) >= tonumber(ARGV[7]) then return -1 end
redis.call('INCR', COUNT_PARKED)
m.st, m.why = 'parked', ARGV[6]
redis.call('HSET', roomKey(room, 'm'), id, cjson.encode(m))
redis.call('SREM', P .. 'node:' .. node .. ':peers', id)
redis.call('ZADD', P .. 'parked', ARGV[5], room .. '\\n' .. id)
return 1
`;

/**
 * REAP: ARGV P, now, at most, queue limits (3). Removes the parked peers whose grace is over and
 * tells their rooms; one node wins each (the ZREM). → the number of due entries looked at (the caller
 * calls again while that is the most it asked for), then a flat list room, id, reason, …
 */
export const REAP = `${PRELUDE}
local due = redis.call('ZRANGEBYSCORE', P .. 'parked', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local removed = { #due }
for _, entry in ipairs(due) do
  if redis.call('ZREM', P .. 'parked', entry) == 1 then
    local cut = string.find(entry, '\\n', 1, true)
    local room, id = string.sub(entry, 1, cut - 1), string.sub(entry, cut + 1)
    local m = record(room, id)
    if m and m.st == 'parked' then
      local reason = m.why or 'closed'
      local frame = cjson.encode({ type = 'peer-left', peerId = id, reason = reason })
      remove(room, id, frame, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
      table.insert(removed, room)
      table.insert(removed, id)
      table.insert(removed, reason)
    end
  end
end
return removed
`;

/**
 * NODE_DOWN: ARGV P, dead node, grace ends at (ms), queue limits (3). Parks every peer the dead node
 * held, so that they can resume elsewhere or are removed when the grace ends, and passes on what the
 * dead node had not read. One node wins (the ZREM). → count
 */
export const NODE_DOWN = `${PRELUDE}
local dead = ARGV[2]
if redis.call('ZREM', P .. 'nodes', dead) == 0 then return 0 end
local count = 0
for _, id in ipairs(redis.call('SMEMBERS', P .. 'node:' .. dead .. ':peers')) do
  local room = redis.call('GET', P .. 'peer:' .. id)
  local m = room and record(room, id)
  if m and m.n == dead and m.st == 'on' then
    -- Not bound by the cap on parked places: these peers did nothing, their node died.
    redis.call('INCR', COUNT_PARKED)
    m.st, m.why = 'parked', 'timeout'
    redis.call('HSET', roomKey(room, 'm'), id, cjson.encode(m))
    redis.call('ZADD', P .. 'parked', ARGV[3], room .. '\\n' .. id)
    count = count + 1
  end
end
-- What the dead node had not read goes on to where its targets are now (their queues, mostly).
for _, pair in ipairs(unread(dead)) do
  local room = redis.call('GET', P .. 'peer:' .. pair[1])
  local m = room and record(room, pair[1])
  if m then deliver(pair[1], m, pair[2], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])) end
end
redis.call('DEL', P .. 'node:' .. dead .. ':peers', P .. 'node:' .. dead .. ':s')
return count
`;

/**
 * REROUTE: ARGV P, id, frame, this node, queue limits (3). A delivery reached this node for a peer it
 * no longer holds: on to where the peer is now, or into its queue. → "sent" | "queued" | "gone"
 */
export const REROUTE = `${PRELUDE}
local id, frame, node = ARGV[2], ARGV[3], ARGV[4]
local room = redis.call('GET', P .. 'peer:' .. id)
local m = room and record(room, id)
if not m then return 'gone' end
-- Still marked attached here: its connection has just closed and its park is on the way.
if m.n == node then m.st = 'parked' end
if deliver(id, m, frame, tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])) then return 'gone' end
if m.st == 'on' then return 'sent' end
return 'queued'
`;

/**
 * REJOIN: ARGV P, room, id, node, record JSON (with its join order s and nonce g), state ("on" or
 * "parked"), grace end (ms, when parked), reason (when parked), peer-joined frame, queue limits (3).
 * After Redis came back (maybe empty), a node puts back the peers it holds, as they were, and the
 * places it parked, parked again. A place that was gone is announced to the others of its room (they
 * may have joined meanwhile, and never heard of it). → the others of the room, JSON
 */
export const REJOIN = `${PRELUDE}
local room, id, node, state = ARGV[2], ARGV[3], ARGV[4], ARGV[6]
local rec = cjson.decode(ARGV[5])
local m = record(room, id)
local restored = not m
if restored then
  m = rec
  if redis.call('HLEN', roomKey(room, 'm')) == 0 then redis.call('INCR', COUNT_ROOMS) end
elseif m.st == 'parked' then
  redis.call('DECR', COUNT_PARKED)
end
m.n, m.st, m.why = node, state, nil
redis.call('ZREM', P .. 'parked', room .. '\\n' .. id)
if state == 'parked' then
  m.why = ARGV[8]
  redis.call('INCR', COUNT_PARKED)
  redis.call('ZADD', P .. 'parked', ARGV[7], room .. '\\n' .. id)
  redis.call('SREM', P .. 'node:' .. node .. ':peers', id)
else
  redis.call('SADD', P .. 'node:' .. node .. ':peers', id)
end
if restored then broadcast(room, id, ARGV[9], tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])) end
redis.call('HSET', roomKey(room, 'm'), id, cjson.encode(m))
redis.call('SET', P .. 'peer:' .. id, room)
if tonumber(redis.call('GET', roomKey(room, 'seq')) or '0') < m.s then redis.call('SET', roomKey(room, 'seq'), m.s) end
return cjson.encode(others(room, id))
`;
