package nbu

import (
	"fmt"
	"hash/maphash"
)

// Bounds on a paging walk. A server that never stops paging (a cursor new on every page, a next
// offset that never ends) must cost a bounded number of requests and bytes, whatever the deadline.
const (
	// maxCursorBytes: NetBackup's cursors are a few dozen bytes (base64 of a sort key and an id).
	maxCursorBytes = 4096
	// maxCursorPages: 2 million jobs at 100 a page, more than a day of the busiest master; one walk
	// of the jobs reader covers a shard of one probe's range.
	maxCursorPages = 20_000
	// maxOffsetPages: 500,000 records at 500 a page (100,000 drives at 100): no real list is longer.
	maxOffsetPages = 1000
)

// pageLimits are the walk bounds a client applies (a field, so that tests can lower them).
type pageLimits struct{ cursorPages, offsetPages int }

var defaultPageLimits = pageLimits{cursorPages: maxCursorPages, offsetPages: maxOffsetPages}

// cursorGuard ends a cursor walk whose server misbehaves: a cursor that repeats (a cycle), is
// empty-paged, too long, or a walk past maxCursorPages. It keeps a hash of each cursor seen,
// not the cursor: a long hostile cursor costs 8 bytes a page.
type cursorGuard struct {
	seed     maphash.Seed
	seen     map[uint64]struct{}
	maxPages int
}

func newCursorGuard(start string, maxPages int) *cursorGuard {
	g := &cursorGuard{seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}, maxPages: maxPages}
	if start != "" {
		g.seen[maphash.String(g.seed, start)] = struct{}{}
	}
	return g
}

// check vets the next cursor after page (1-based) of endpoint.
func (g *cursorGuard) check(endpoint string, page int, next string, scrub func(string) string) error {
	switch {
	case len(next) > maxCursorBytes:
		return fmt.Errorf("GET %s: page %d returned a cursor of %d bytes (at most %d); not a NetBackup cursor, stopping",
			endpoint, page, len(next), maxCursorBytes)
	case page >= g.maxPages:
		return fmt.Errorf("GET %s: still paging after %d pages; stopping (a server whose cursor never ends)", endpoint, page)
	}
	h := maphash.String(g.seed, next)
	if _, dup := g.seen[h]; dup {
		// A server bug; following it would fetch the same pages forever.
		return fmt.Errorf("GET %s: page %d returned cursor %q that was already used; stopping to avoid a loop",
			endpoint, page, truncate(scrub(next), 64))
	}
	g.seen[h] = struct{}{}
	return nil
}

// offsetPageLimit is how many pages an offset walk may take: what the count the server reports
// needs at the page size it serves (plus one for a count that grew meanwhile), at most
// maxOffsetPages.
func offsetPageLimit(count int64, perPage, maxPages int) int {
	if count <= 0 || perPage <= 0 {
		return maxPages
	}
	need := (count + int64(perPage) - 1) / int64(perPage)
	return int(min(need+1, int64(maxPages)))
}
