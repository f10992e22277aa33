package latchkey

import (
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// DefaultCacheSize is how many verified tokens a Verifier remembers unless
// Options.CacheSize says otherwise.
const DefaultCacheSize = 10_000

const cacheShards = 32

// tokenCache remembers tokens that verified, so a token presented again
// (every request of a page load carries the same cookie) costs a map lookup
// instead of an ECDSA verification. It is keyed by the exact token string:
// a hit is byte-for-byte the token that verified, so there is nothing to
// collide. Only successes are stored, so garbage cannot fill it.
//
// It is split into shards, each with its own lock and its share of the
// size bound. A full shard first drops its expired entries and, if still
// full, one arbitrary live entry: cheap, and a dropped token merely costs
// one more verification.
type tokenCache struct {
	seed     maphash.Seed
	perShard int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string]cacheEntry
	_  [32]byte // keeps neighbouring shards off one cache line on 64-bit
}

type cacheEntry struct {
	claims      *Claims
	from, until int64 // Unix nanoseconds: valid for from <= now < until
}

func newTokenCache(size int) *tokenCache {
	c := &tokenCache{seed: maphash.MakeSeed(), perShard: max(1, size/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]cacheEntry)
	}
	return c
}

func (c *tokenCache) shard(tok string) *cacheShard {
	return &c.shards[maphash.String(c.seed, tok)%cacheShards]
}

// get returns the claims of tok if it verified and is still within its
// validity window at now.
func (c *tokenCache) get(tok string, now time.Time) (*Claims, bool) {
	s := c.shard(tok)
	s.mu.RLock()
	e, ok := s.m[tok]
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	n := now.UnixNano()
	if n >= e.until {
		s.mu.Lock()
		if cur, ok := s.m[tok]; ok && cur.until == e.until {
			delete(s.m, tok)
		}
		s.mu.Unlock()
		return nil, false
	}
	if n < e.from {
		return nil, false
	}
	return e.claims, true
}

func (c *tokenCache) put(tok string, claims *Claims, from, until, now time.Time) {
	s := c.shard(tok)
	e := cacheEntry{claims: claims, from: from.UnixNano(), until: until.UnixNano()}
	n := now.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[tok]; !ok && len(s.m) >= c.perShard {
		for k, v := range s.m {
			if n >= v.until {
				delete(s.m, k)
			}
		}
		if len(s.m) >= c.perShard {
			for k := range s.m {
				delete(s.m, k)
				break
			}
		}
	}
	// A copy, so the entry does not pin the request's whole Cookie header.
	s.m[strings.Clone(tok)] = e
}

func (c *tokenCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
