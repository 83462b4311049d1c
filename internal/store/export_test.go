package store

import "context"

// MarkEditedInConsole stands in for an editor's change in the staff console
// (which has its own issue): it replaces an item's or quiz's data and marks
// it as the editor's.
func (db *DB) MarkEditedInConsole(ctx context.Context, table, id, data string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE `+table+` SET data = ?, origin = 'console' WHERE id = ?`, data, id)
		return err
	})
}

// ExecForTest runs raw SQL, as someone with direct database access would.
func (db *DB) ExecForTest(ctx context.Context, q string) error {
	_, err := db.write.ExecContext(ctx, q)
	return err
}
