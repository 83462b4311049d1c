package quiz

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Bank is the published items and quizzes, held in memory for play: every
// answer needs its item, and a database round trip per answer would cost
// more than the answer itself.
type Bank struct {
	items   map[string]*Item
	quizzes map[string]*Quiz
	order   []string // quiz ids in the order they were given
}

// NewBank indexes items and quizzes.
func NewBank(items []Item, quizzes []Quiz) *Bank {
	b := &Bank{items: map[string]*Item{}, quizzes: map[string]*Quiz{}}
	for i := range items {
		b.items[items[i].ID] = &items[i]
	}
	for i := range quizzes {
		b.quizzes[quizzes[i].ID] = &quizzes[i]
		b.order = append(b.order, quizzes[i].ID)
	}
	return b
}

// Item returns an item, nil when unknown.
func (b *Bank) Item(id string) *Item { return b.items[id] }

// AllItems returns every item, sorted by id.
func (b *Bank) AllItems() []*Item {
	out := make([]*Item, 0, len(b.items))
	for _, it := range b.items {
		out = append(out, it)
	}
	slices.SortFunc(out, func(x, y *Item) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// Quiz returns a quiz, nil when unknown.
func (b *Bank) Quiz(id string) *Quiz { return b.quizzes[id] }

// Quizzes lists every quiz in order.
func (b *Bank) Quizzes() []*Quiz {
	out := make([]*Quiz, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.quizzes[id])
	}
	return out
}

// QuizItems returns every item of a quiz (its pool for a drawn quiz).
func (b *Bank) QuizItems(q *Quiz) []*Item {
	ids := q.Items
	if len(q.Pool) > 0 {
		ids = q.Pool
	}
	out := make([]*Item, 0, len(ids))
	for _, id := range ids {
		if it := b.items[id]; it != nil {
			out = append(out, it)
		}
	}
	return out
}

// Topics lists the topics a quiz covers, in first-seen order.
func (b *Bank) Topics(q *Quiz) []string {
	var out []string
	for _, it := range b.QuizItems(q) {
		for _, t := range it.Topics {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// Draw fixes the items of a new attempt: the quiz's list, or a random draw
// from its pool.
func (b *Bank) Draw(q *Quiz) []string {
	if len(q.Pool) == 0 {
		return slices.Clone(q.Items)
	}
	pool := slices.Clone(q.Pool)
	rand.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	return pool[:min(q.Draw, len(pool))]
}
