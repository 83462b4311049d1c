// Package e2e drives the real server through a real browser: each test
// starts an instance on port 0 with its own data directory, opens it in a
// fresh headless Chromium browser context, and checks what a visitor sees
// — the language, the links, the station binding — and that no page logs
// an error, throws, breaks the Content-Security-Policy or has a serious
// accessibility violation (axe-core).
//
// The tests need NOTALONE_TEST_CHROMIUM and NOTALONE_TEST_AXE (see
// internal/testenv); without them they are skipped, and in CI they fail.
// One browser serves the whole package: it starts with the first test that
// needs it and stops in TestMain.
package e2e
