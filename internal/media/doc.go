// Package media holds the library's building blocks: content-addressed file
// storage with types checked by content, image cleaning, safe Markdown, and
// range serving.
//
// Nothing here knows about routes or SQL. The HTTP layer reads an upload
// into [Store.Put] (or [Store.PutImage] for photos, so that no photo is
// stored with its EXIF or GPS data), records the returned [File] in the
// database, and serves it back with [Store.Open] and [Serve]. Stories are
// Markdown text in the database, turned into HTML by [RenderMarkdown].
//
// Errors are *errs.Error values whose message keys the catalogues must
// translate: error.media_type, error.media_too_large, error.media_incomplete,
// error.media_not_found, error.image_too_large and error.image_unreadable.
package media
