package store

import (
	"context"
	"fmt"

	"github.com/notalone/notalone/internal/help"
)

// LoadHelpPacks upserts the shipped guides and app step lists like
// LoadPacks does for quiz content: a console edit wins over a later pack
// change, which is recorded as a conflict.
func (db *DB) LoadHelpPacks(ctx context.Context, g *help.Guides) (PackReport, error) {
	var rep PackReport
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.lock(ctx, contentLockKey); err != nil {
			return err
		}
		rep = PackReport{}
		for i := range g.Guides {
			if err := loadPackObject(ctx, tx, &rep, "help_guides", "help_guide", g.Guides[i].ID, i, g.Guides[i]); err != nil {
				return err
			}
		}
		for i := range g.Platforms {
			if err := loadPackObject(ctx, tx, &rep, "help_platforms", "help_platform", g.Platforms[i].ID, i, g.Platforms[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PackReport{}, fmt.Errorf("load help packs: %w", err)
	}
	return rep, nil
}

// HelpContent returns the published guides and app step lists.
func (db *DB) HelpContent(ctx context.Context) (*help.Guides, error) {
	g := &help.Guides{}
	err := db.readJSON(ctx, `SELECT data FROM help_guides ORDER BY position, id`, func() any {
		g.Guides = append(g.Guides, help.Guide{})
		return &g.Guides[len(g.Guides)-1]
	})
	if err == nil {
		err = db.readJSON(ctx, `SELECT data FROM help_platforms ORDER BY position, id`, func() any {
			g.Platforms = append(g.Platforms, help.Platform{})
			return &g.Platforms[len(g.Platforms)-1]
		})
	}
	if err != nil {
		return nil, fmt.Errorf("help content: %w", err)
	}
	return g, nil
}

// SaveGuideDraft stores an edited guide as its next version.
func (db *DB) SaveGuideDraft(ctx context.Context, g help.Guide, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "help_guide", g.ID, g, author, note)
}

// GuideVersions lists a guide's versions, newest first.
func (db *DB) GuideVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "help_guide", id)
}

// GuideVersion returns one version of a guide.
func (db *DB) GuideVersion(ctx context.Context, id string, version int) (ContentVersion, help.Guide, error) {
	var g help.Guide
	v, err := db.version(ctx, "help_guide", id, version, &g)
	return v, g, err
}

// PublishGuideVersion makes a version the published guide.
func (db *DB) PublishGuideVersion(ctx context.Context, id string, version int, author string) error {
	if _, _, err := db.GuideVersion(ctx, id, version); err != nil {
		return err
	}
	return db.publish(ctx, "help_guide", id, version, author, `UPDATE help_guides SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`)
}

// SavePlatformDraft stores an edited app step list as its next version.
func (db *DB) SavePlatformDraft(ctx context.Context, p help.Platform, author, note string) (ContentVersion, error) {
	return db.saveDraft(ctx, "help_platform", p.ID, p, author, note)
}

// PlatformVersions lists an app step list's versions, newest first.
func (db *DB) PlatformVersions(ctx context.Context, id string) ([]ContentVersion, error) {
	return db.versions(ctx, "help_platform", id)
}

// PlatformVersion returns one version of an app step list.
func (db *DB) PlatformVersion(ctx context.Context, id string, version int) (ContentVersion, help.Platform, error) {
	var p help.Platform
	v, err := db.version(ctx, "help_platform", id, version, &p)
	return v, p, err
}

// PublishPlatformVersion makes a version the published app step list.
func (db *DB) PublishPlatformVersion(ctx context.Context, id string, version int, author string) error {
	if _, _, err := db.PlatformVersion(ctx, id, version); err != nil {
		return err
	}
	return db.publish(ctx, "help_platform", id, version, author, `UPDATE help_platforms SET data = ?, origin = 'console', updated_at = ? WHERE id = ?`)
}
