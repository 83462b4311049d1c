//go:build !unix

package app

// On systems without flock (Windows kiosks) SQLite's own file locking still
// keeps the database consistent; a second serve is not refused up front.
type dirLock struct{}

func lockDataDir(dir string) (*dirLock, error) {
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	return &dirLock{}, nil
}

func dataDirInUse(string) bool { return false }

func (*dirLock) release() {}
