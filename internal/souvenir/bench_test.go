package souvenir

import "testing"

// benchCards are a usual pledge and the largest one.
func benchCards() []testCard {
	long := viCard()
	long.Name, long.Actions = name40, longActions
	return []testCard{{"typical", viCard()}, {"12 long actions", long}}
}

func BenchmarkPNG(b *testing.B) {
	for _, tc := range benchCards() {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := PNG(tc.card); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPDF(b *testing.B) {
	for _, tc := range benchCards() {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := PDF(tc.card); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
