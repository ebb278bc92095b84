package prober

import (
	"context"
	"errors"
	"testing"
	"time"
)

// eventuallyTrue waits for cond, polling, or fails the test after 20 s.
func eventuallyTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after 20s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAnswerBudgetReservesWaitsAndRefuses(t *testing.T) {
	const share = answerShare
	b := NewAnswerBudget(4 * share)
	ctx := context.Background()

	a, err := b.reserve(ctx, share) // its weight and its share: 2
	if err != nil || b.used.Load() != 2*share {
		t.Fatalf("reserve: %v, used %d", err, b.used.Load())
	}
	c, err := b.reserve(ctx, 0) // 3
	if err != nil {
		t.Fatal(err)
	}

	// Past the budget, a probe whose deadline passes while it waits is refused; nothing is taken.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.reserve(short, share); !errors.Is(err, errAnswerBudget) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reserve past the budget: %v, want errAnswerBudget", err)
	}
	if b.used.Load() != 3*share || b.refused.Load() != 1 || b.waiting.Load() != 0 {
		t.Fatalf("after a refusal: used %d, refused %d, waiting %d", b.used.Load(), b.refused.Load(), b.waiting.Load())
	}

	// A waiter is served once a hold is given back.
	got := make(chan *answerHold)
	go func() {
		h, err := b.reserve(ctx, share)
		if err != nil {
			t.Error(err)
		}
		got <- h
	}()
	eventuallyTrue(t, "a probe waiting", func() bool { return b.waiting.Load() == 1 })
	c.release()
	d := <-got
	if b.used.Load() != 4*share || b.waits.Load() != 2 {
		t.Fatalf("after the waiter got in: used %d, waits %d", b.used.Load(), b.waits.Load())
	}

	// Growing past what is free gives the hold back while it waits, so that two growing probes
	// never hold each other's room.
	grown := make(chan error)
	go func() { grown <- a.resize(ctx, 2*share) }()
	eventuallyTrue(t, "the growing probe waiting with nothing held", func() bool {
		return b.waiting.Load() == 1 && b.used.Load() == 2*share
	})
	d.release()
	if err := <-grown; err != nil || a.held != 3*share || b.used.Load() != 3*share {
		t.Fatalf("grow: %v, held %d, used %d", err, a.held, b.used.Load())
	}
	// Shrinking gives the rest back at once.
	if err := a.resize(ctx, 0); err != nil || b.used.Load() != share {
		t.Fatalf("shrink: %v, used %d", err, b.used.Load())
	}
	a.release()
	a.release() // twice is harmless
	if b.used.Load() != 0 || b.peak.Load() > b.max {
		t.Fatalf("all released: used %d, peak %d of %d", b.used.Load(), b.peak.Load(), b.max)
	}

	// An answer larger than the whole budget still goes, alone.
	big, err := b.reserve(ctx, 100*share)
	if err != nil || big.held != b.max {
		t.Fatalf("an answer over the budget: %v, held %d", err, big.held)
	}
	big.release()

	// No budget: nothing is held and nothing waits.
	var none *AnswerBudget
	h, err := none.reserve(ctx, 1<<40)
	if err != nil || h.resize(ctx, 1<<41) != nil {
		t.Fatalf("nil budget: %v", err)
	}
	h.release()
}
