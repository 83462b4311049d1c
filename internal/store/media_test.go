package store_test

import (
	"strings"
	"testing"

	"github.com/notalone/notalone/internal/i18n"
	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
	"github.com/notalone/notalone/internal/store/storetest"
)

func testMedia() []media.Item {
	return []media.Item{
		{ID: "video-otp", Kind: media.KindVideo, Topics: []string{"account-security"}, Audience: []string{"kids", "teens"}, Langs: []string{"vi", "en"},
			Title: i18n.Text{VI: "Đừng đưa mã OTP cho ai", EN: "Never share your OTP"}, Summary: i18n.Text{VI: "Chiêu lừa đảo qua điện thoại", EN: "Phone scams"}},
		{ID: "story-duc", Kind: media.KindStory, Topics: []string{"cyberbullying"}, Audience: []string{"teens"}, Langs: []string{"vi"},
			Title: i18n.Text{VI: "Đức và nhóm chat lớp", EN: "Đức and the class chat"}, Body: i18n.Text{VI: "Bạn Đức bị bắt nạt trên mạng.", EN: "Đức was bullied online."},
			Ambassador: &media.Ambassador{Name: "Đức", Age: 14, Province: "Đà Nẵng"}},
		{ID: "guide-parents", Kind: media.KindPublication, Topics: []string{"phishing", "getting-help"}, Audience: []string{"adults"}, Langs: []string{"vi", "en"},
			Title: i18n.Text{VI: "Cẩm nang cho cha mẹ", EN: "A parent's guide"}, Summary: i18n.Text{VI: "Nhận biết lừa đảo", EN: "Spotting scams"}},
	}
}

func TestMediaSearchIsKindToVietnamese(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		rep, err := db.LoadMediaPacks(ctx, testMedia())
		if err != nil || rep.Inserted != 3 {
			t.Fatalf("load = %+v, %v", rep, err)
		}
		if rep, _ := db.LoadMediaPacks(ctx, testMedia()); rep.Unchanged != 3 {
			t.Errorf("second load = %+v, want unchanged", rep)
		}
		ids := func(f store.MediaFilter) string {
			t.Helper()
			items, err := db.MediaItems(ctx, f)
			if err != nil {
				t.Fatalf("MediaItems(%+v): %v", f, err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.ID)
			}
			return strings.Join(out, " ")
		}
		for _, tt := range []struct {
			name string
			f    store.MediaFilter
			want string
		}{
			{"all", store.MediaFilter{}, "video-otp story-duc guide-parents"},
			{"with diacritics", store.MediaFilter{Query: "lừa đảo"}, "video-otp guide-parents"},
			{"without diacritics", store.MediaFilter{Query: "lua dao"}, "video-otp guide-parents"},
			{"đ as d", store.MediaFilter{Query: "duc"}, "story-duc"},
			{"Đ upper case", store.MediaFilter{Query: "ĐỨC"}, "story-duc"},
			{"prefix", store.MediaFilter{Query: "bat na"}, "story-duc"},
			{"english", store.MediaFilter{Query: "OTP"}, "video-otp"},
			{"all words needed", store.MediaFilter{Query: "otp cha me"}, ""},
			{"sql as text", store.MediaFilter{Query: "'; DROP TABLE media_items; --"}, ""},
			{"fts syntax as text", store.MediaFilter{Query: `otp OR "x" NEAR(a b) *`}, ""},
			{"only punctuation", store.MediaFilter{Query: `"*()^-`}, "video-otp story-duc guide-parents"},
			{"kind", store.MediaFilter{Kind: media.KindStory}, "story-duc"},
			{"topic", store.MediaFilter{Topic: "getting-help"}, "guide-parents"},
			{"topic pattern", store.MediaFilter{Topic: "%"}, ""},
			{"audience", store.MediaFilter{Audience: "teens"}, "video-otp story-duc"},
			{"language", store.MediaFilter{Lang: "en"}, "video-otp guide-parents"},
			{"together", store.MediaFilter{Audience: "teens", Query: "ma otp"}, "video-otp"},
		} {
			if got := ids(tt.f); got != tt.want {
				t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
			}
		}
		// Still searchable after a change (the index follows the row).
		changed := testMedia()
		changed[1].Title = i18n.Text{VI: "Hùng và nhóm chat lớp", EN: "Hùng and the class chat"}
		changed[1].Body = i18n.Text{VI: "Hùng bị bắt nạt.", EN: "Hùng was bullied."}
		changed[1].Ambassador = nil
		db.LoadMediaPacks(ctx, changed)
		if got := ids(store.MediaFilter{Query: "hung"}); got != "story-duc" {
			t.Errorf("after a change: %q", got)
		}
		if got := ids(store.MediaFilter{Query: "duc"}); got != "" {
			t.Errorf("the old text is still found: %q", got)
		}
		if it, err := db.MediaItem(ctx, "guide-parents"); err != nil || it.Title.EN != "A parent's guide" {
			t.Errorf("MediaItem = %+v, %v", it, err)
		}
	})
}
