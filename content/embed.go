// Package content embeds the shipped content packs, so one binary carries
// everything a kiosk needs offline. The format is internal/content.
package content

import "embed"

// FS holds every pack.
//
//go:embed *.yaml items/*.yaml help/*.yaml media/media.yaml media/files media/stories
var FS embed.FS
