package content

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/notalone/notalone/content"
	"github.com/notalone/notalone/internal/quiz"
)

func sortedItems(items []quiz.Item) []quiz.Item {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b quiz.Item) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// zipNames lists the entries of a zip.
func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	return names
}

// zipOf builds a zip of files, in the order given (name, data, name, data…).
func zipOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportRoundTripOfShippedPacks(t *testing.T) {
	want, err := Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Export(want.Items, want.Quizzes, want.Hotlines, want.PledgeOptions)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	got, err := LoadZip(data, 0)
	if err != nil {
		t.Fatalf("LoadZip(Export(shipped packs)): %v", err)
	}
	if !reflect.DeepEqual(sortedItems(got.Items), sortedItems(want.Items)) {
		for i, it := range sortedItems(want.Items) {
			if g := sortedItems(got.Items); i >= len(g) || !reflect.DeepEqual(g[i], it) {
				t.Errorf("item %s differs after the round trip", it.ID)
			}
		}
		t.Fatalf("items differ after the round trip")
	}
	if !reflect.DeepEqual(got.Quizzes, want.Quizzes) {
		t.Errorf("quizzes differ after the round trip:\n got %+v\nwant %+v", got.Quizzes, want.Quizzes)
	}
	if !reflect.DeepEqual(got.Hotlines, want.Hotlines) {
		t.Errorf("hotlines differ after the round trip:\n got %+v\nwant %+v", got.Hotlines, want.Hotlines)
	}
	// The layout of content/: items grouped by their first topic.
	names := zipNames(t, data)
	if len(names) < 4 || names[0] != "hotlines.yaml" || names[1] != "pledge.yaml" || names[2] != "quizzes.yaml" {
		t.Errorf("entries = %v, want hotlines.yaml, pledge.yaml, quizzes.yaml, items/*.yaml", names)
	}
	for _, it := range want.Items {
		if !slices.Contains(names, "items/"+it.Topics[0]+".yaml") {
			t.Errorf("no items/%s.yaml for %s", it.Topics[0], it.ID)
		}
	}
	// The same content always gives the same bytes.
	again, err := Export(got.Items, got.Quizzes, got.Hotlines, got.PledgeOptions)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("exporting the imported pack gives different bytes (err %v)", err)
	}
}

func TestExportLeavesOutEmptyOptionalFields(t *testing.T) {
	b, err := Load(packs(map[string]string{"items/flags.yaml": goodFlags}))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Export(b.Items, b.Quizzes, b.Hotlines, b.PledgeOptions)
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	text := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		text[f.Name] = string(body)
	}
	for file, absent := range map[string][]string{
		"hotlines.yaml":               {"also:", "resources:"},
		"items/phishing.yaml":         {"source:", "subject:", "time:", "address:", "amount:", "from:", "options:", "scenario:", "verdict:"},
		"items/account-security.yaml": {"message:", "flags:", "source:"},
	} {
		body, ok := text[file]
		if !ok {
			t.Errorf("no %s in %v", file, zipNames(t, data))
			continue
		}
		for _, field := range absent {
			if slices.ContainsFunc(strings.Split(body, "\n"), func(line string) bool { return strings.HasPrefix(strings.TrimSpace(line), field) }) {
				t.Errorf("%s has an empty %s:\n%s", file, field, body)
			}
		}
	}
	if _, err := LoadZip(data, 0); err != nil {
		t.Errorf("LoadZip: %v", err)
	}
}

func TestYAMLStringsReadBackExactly(t *testing.T) {
	strs := []string{"", " lead", "trail ", "a\nb", "a\n", "\nlead", "a\n\nb\n", "null", "Null", "~", "true", "False", "yes", "No", "On", "off", "y", "N",
		"111", "0111", "1e3", "0x1F", ".inf", "-.inf", ".nan", "NaN", "inf", "Infinity", "- x", "-", "---", "...", "# c", "a #b", "a: b", "a:b", "a:", "'q'", `"dq"`,
		"{x}", "[x]", "a, b", "*a", "&a", "!t", "%x", "@x", "`x", "|", ">", "?", "? x", "17:05", "2026-01-02", "2.500.000 ₫", "tab\tin", `x\y`,
		"“quoted”", "a\r", "…", "a  b", "Mã OTP là chìa khóa.", "That's right!", "Kids 8–12", "(Hết)", "x - y", "a ? b", "a ! b", "a - - b",
		"\u2028x", "\x00", "\ufeffbom", "é\u0301", "<b>&amp;", "https://evn-thanhtoan.example/hoadon", "0909 123 456", "Zalo: 0909", "EVN-CSKH",
		strings.Repeat("Một câu rất dài, ", 40) + "hết.", "a\n  indented\n\ttab", "'", "''", `"`, "a'", "a''b",
	}
	for _, s := range strs {
		in := quiz.Option{ID: s, Text: quiz.Text{VI: s, EN: "x" + s}, Feedback: quiz.Text{VI: s + " y", EN: s + "\n"}}
		data, err := encodePack(&in)
		if err != nil {
			t.Errorf("encodePack(%q): %v", s, err)
			continue
		}
		var out quiz.Option
		if err := yaml.UnmarshalWithOptions(data, &out, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
			t.Errorf("%q: read back: %v\n%s", s, err, data)
			continue
		}
		if !reflect.DeepEqual(in, out) {
			t.Errorf("%q reads back as %q\n%s", s, out.ID, data)
		}
	}
	// Ordinary texts stay readable: no quotes.
	for _, s := range []string{"Mã OTP là chìa khóa.", "q-otp-who-can-ask", "That's right!"} {
		if b, _ := yamlString(s); string(b) != s {
			t.Errorf("yamlString(%q) = %s, want it unquoted", s, b)
		}
	}
}

// goodPack is a small valid pack as zip entries.
func goodPack() []string {
	return []string{"pledge.yaml", goodPledge, "hotlines.yaml", goodHotline, "quizzes.yaml", "quizzes: []\n", "items/base.yaml", goodSingle}
}

func TestLoadZipAcceptsFoldersAndJunk(t *testing.T) {
	var files []string
	p := goodPack()
	for i := 0; i < len(p); i += 2 {
		files = append(files, "content/"+p[i], p[i+1])
	}
	files = append(files, "__MACOSX/content/._hotlines.yaml", "junk", "content/.DS_Store", "junk")
	b, err := LoadZip(zipOf(t, files...), 0)
	if err != nil {
		t.Fatalf("a pack zipped in its folder: %v", err)
	}
	if len(b.Items) != 1 || b.Items[0].ID != "q-base" {
		t.Errorf("items = %+v", b.Items)
	}
}

func TestLoadZipRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"zip slip", []string{"../hotlines.yaml", goodHotline}, `../hotlines.yaml: unsafe path: ".." is not allowed`},
		{"zip slip inside", []string{"items/../../x.yaml", "x"}, `items/../../x.yaml: unsafe path`},
		{"absolute", []string{"/etc/quizzes.yaml", "x"}, "/etc/quizzes.yaml: unsafe path: absolute"},
		{"drive letter", []string{"C:/quizzes.yaml", "x"}, "C:/quizzes.yaml: unsafe path: absolute"},
		{"backslash", []string{`items\x.yaml`, "x"}, `items\x.yaml: unsafe path`},
		{"outside the layout", []string{"notes.txt", "x"}, "notes.txt: not part of a content pack"},
		{"nested folder", []string{"items/more/x.yaml", goodSingle}, "items/more/x.yaml: not part of a content pack"},
		{"unknown pack", []string{"pledging.yaml", "x: 1"}, "pledging.yaml: unknown pack"},
		{"broken item", []string{"items/bad.yaml", strings.Replace(strings.Replace(goodSingle, "q-base", "q-bad", 1), "difficulty: 1", "difficulty: 7", 1)},
			"items/bad.yaml: q-bad: difficulty: must be 1, 2 or 3"},
		{"html in an item", []string{"items/base.yaml", strings.Replace(goodSingle, "en: A question?", "en: <b>A question?</b>", 1)},
			"items/base.yaml: q-base: prompt.en: contains HTML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := append(goodPack(), tt.files...)
			if tt.name == "broken item" || tt.name == "html in an item" {
				files = append(goodPack()[:6], tt.files...)
			}
			_, err := LoadZip(zipOf(t, files...), 0)
			if _, ok := AsProblems(err); !ok || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadZip = %v, want a problem containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadZipReportsEveryProblem(t *testing.T) {
	files := append(goodPack()[:6],
		"items/base.yaml", strings.Replace(goodSingle, "en: A question?", "en: <b>A question?</b>", 1),
		"../evil.yaml", "x",
		"items/flags.yaml", strings.Replace(goodFlags, "code: urgency", "code: hurry", 1))
	_, err := LoadZip(zipOf(t, files...), 0)
	ps, ok := AsProblems(err)
	if !ok || len(ps) != 3 {
		t.Fatalf("LoadZip = %v, want 3 problems", err)
	}
	for _, want := range []string{"../evil.yaml: unsafe path", "items/base.yaml: q-base: prompt.en: contains HTML", `items/flags.yaml: sf-x: flags[0].code: unknown red flag "hurry"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems = %v, want %q", err, want)
		}
	}
}

func TestLoadZipRefusesNonZips(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("hotlines: []"), []byte("PK\x03\x04 not really")} {
		if _, err := LoadZip(data, 0); err == nil || !strings.Contains(err.Error(), "archive: not a zip archive") {
			t.Errorf("LoadZip(%q) = %v, want not a zip", data, err)
		}
	}
}

func TestLoadZipRefusesTooMuch(t *testing.T) {
	t.Run("too large uncompressed", func(t *testing.T) {
		// 21 MB of spaces in a valid YAML comment compresses to ~20 KB.
		bomb := "#" + strings.Repeat(" ", 21<<20) + "\nquizzes: []\n"
		data := zipOf(t, "hotlines.yaml", goodHotline, "pledge.yaml", goodPledge, "quizzes.yaml", bomb, "items/base.yaml", goodSingle)
		if len(data) > 1<<20 {
			t.Fatalf("test zip is %d bytes", len(data))
		}
		if _, err := LoadZip(data, 0); err == nil || !strings.Contains(err.Error(), "archive: larger than 20 MB uncompressed") {
			t.Errorf("LoadZip(bomb) = %v", err)
		}
		if _, err := LoadZip(zipOf(t, goodPack()...), 100); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("LoadZip(pack, 100 bytes) = %v", err)
		}
	})
	t.Run("header lies about the size", func(t *testing.T) {
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestCompression)
		payload := bytes.Repeat([]byte{' '}, 30<<20)
		fw.Write(payload)
		fw.Close()
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "quizzes.yaml", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(payload),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: 10, Modified: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(comp.Bytes())
		zw.Close()
		// archive/zip stops reading past the declared size; either way the
		// entry is refused, never read to the end.
		if _, err := LoadZip(buf.Bytes(), 0); err == nil || !strings.Contains(err.Error(), "quizzes.yaml: cannot be read") {
			t.Errorf("LoadZip(lying header) = %v", err)
		}
	})
	t.Run("too many files", func(t *testing.T) {
		files := goodPack()
		for i := range MaxPackFiles {
			files = append(files, "items/x"+strings.Repeat("y", i%7)+string(rune('a'+i%26))+".yaml", goodSingle)
		}
		if _, err := LoadZip(zipOf(t, files...), 0); err == nil || !strings.Contains(err.Error(), "a pack has at most 500") {
			t.Errorf("LoadZip(%d files) = %v", len(files)/2, err)
		}
	})
}
