package store

import "context"

// ExecForTest runs raw SQL, as someone with direct database access would.
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.write.ExecContext(ctx, q)
	return err
}
