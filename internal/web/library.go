package web

import (
	"context"

	"github.com/notalone/notalone/internal/media"
	"github.com/notalone/notalone/internal/store"
)

// LibraryStore is what the media library needs: the published items, and
// their drafts and versions for editors.
type LibraryStore interface {
	MediaItems(ctx context.Context, f store.MediaFilter) ([]media.Item, error)
	MediaItem(ctx context.Context, id string) (media.Item, error)
	SaveMediaDraft(ctx context.Context, it media.Item, author, note string) (store.ContentVersion, error)
	MediaVersions(ctx context.Context, id string) ([]store.ContentVersion, error)
	MediaVersion(ctx context.Context, id string, version int) (store.ContentVersion, media.Item, error)
	PublishMediaVersion(ctx context.Context, id string, version int, author string) error
	MediaDrafts(ctx context.Context) ([]media.Item, error)
}
