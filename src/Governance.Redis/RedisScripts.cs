namespace Governance.Redis;

/// <summary>
/// The Lua scripts of the budget. KEYS[1] is a sorted set of leases (member <c>id:permits</c>, score = expiry in
/// milliseconds of Redis server time), KEYS[2] the sum of the permits it holds. Each script runs atomically and reads
/// the clock of the Redis server only (<c>TIME</c>; Redis 5+ replicates script effects, so that is allowed), so the
/// instances' clocks never matter.
/// </summary>
internal static class RedisScripts
{
    // Removes expired leases and gives their permits back; defines `now` (ms) and `used`.
    private const string Purge = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
        if #expired > 0 then
          local freed = 0
          for i = 1, #expired do
            freed = freed + tonumber(string.match(expired[i], ':(%d+)$'))
          end
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
          redis.call('DECRBY', KEYS[2], freed)
        end
        local used = tonumber(redis.call('GET', KEYS[2]) or '0')
        if used < 0 then
          -- Only if someone edited the keys by hand: never let a negative count admit more than the limit.
          used = 0
          redis.call('SET', KEYS[2], 0)
        end
        """;

    /// <summary>ARGV: limit, member, expiry (ms), permits (0: only purge and report). Returns { granted (1/0), permits in use }.</summary>
    internal const string Acquire = Purge + """

        local permits = tonumber(ARGV[4])
        if permits == 0 or used + permits > tonumber(ARGV[1]) then
          return { 0, used }
        end
        local ttl = tonumber(ARGV[3])
        redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
        used = redis.call('INCRBY', KEYS[2], permits)
        redis.call('PEXPIRE', KEYS[1], ttl * 2)
        redis.call('PEXPIRE', KEYS[2], ttl * 2)
        return { 1, used }
        """;

    /// <summary>
    /// ARGV: expiry (ms), then the members to renew. Returns one 1 (renewed) or 0 (lost: gone, or expired) per member,
    /// then the permits in use. An expired lease is removed here, so it is never renewed back to life.
    /// </summary>
    internal const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[1])
        local result = {}
        for i = 2, #ARGV do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if not score then
            result[i - 1] = 0
          elseif tonumber(score) <= now then
            redis.call('ZREM', KEYS[1], ARGV[i])
            redis.call('DECRBY', KEYS[2], tonumber(string.match(ARGV[i], ':(%d+)$')))
            result[i - 1] = 0
          else
            redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
            result[i - 1] = 1
          end
        end
        redis.call('PEXPIRE', KEYS[1], ttl * 2)
        redis.call('PEXPIRE', KEYS[2], ttl * 2)
        result[#ARGV] = tonumber(redis.call('GET', KEYS[2]) or '0')
        return result
        """;

    /// <summary>ARGV: member, release channel. Gives the lease's permits back and announces it; returns 1, or 0 when it was already gone.</summary>
    internal const string Release = """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
          return 0
        end
        redis.call('DECRBY', KEYS[2], tonumber(string.match(ARGV[1], ':(%d+)$')))
        redis.call('PUBLISH', ARGV[2], '1')
        return 1
        """;
}
