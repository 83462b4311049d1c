//go:build unix

package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// dirLock is an exclusive lock on a data dir: one serving process per
// SQLite database, so schedulers and in-process live events stay correct.
// The kernel drops it when the process dies, so a crash never leaves it
// stuck.
type dirLock struct{ f *os.File }

func lockDataDir(dir string) (*dirLock, error) {
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "serve.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %s", dir, rootCause(err))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data dir %s is in use by another notalone serve (one instance per SQLite database; use PostgreSQL for several)", dir)
		}
		return nil, fmt.Errorf("lock data dir %s: %s", dir, rootCause(err))
	}
	return &dirLock{f: f}, nil
}

// dataDirInUse reports whether a serve holds the data dir (restore refuses
// to replace a database under a running server).
func dataDirInUse(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, "serve.lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return true
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

func (l *dirLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}
