package souvenir

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/text/unicode/norm"

	"github.com/notalone/notalone/internal/testenv"
)

var samples = flag.String("souvenir.samples", "", "write every test card's PNG and PDF into this directory, to look at")

const testURL = "https://notalone.example/p/3q2vXk9LmN0pQrStUvWxYz12AbCdEfGhIjKlMnOpQrStUv"

func viCard() Card {
	return Card{
		Name:    "Nguyễn Thị Bích Ngọc",
		Heading: "Lời cam kết của mình",
		Actions: []string{
			"Không bao giờ chia sẻ mật khẩu hay mã OTP của mình",
			"Hỏi người lớn tin cậy khi thấy điều lạ trên mạng",
			"Tôn trọng bạn bè khi bình luận",
		},
		Date:      "27/11/2026",
		Event:     "Ngày hội An toàn trực tuyến – Trường Tiểu học Phúc Đức",
		Campaign:  "Không Một Mình – Cùng nhau an toàn trực tuyến",
		VerifyURL: testURL,
		ScanHint:  "Quét để xác minh",
	}
}

func enCard() Card {
	return Card{
		Name:      "Minh Anh",
		Heading:   "My pledge",
		Actions:   []string{"Never share my password or OTP", "Tell a trusted adult when something online feels wrong"},
		Date:      "27/11/2026",
		Campaign:  "Not Alone – Together we are safe online",
		VerifyURL: testURL,
		ScanHint:  "Scan to verify",
	}
}

// longActions are twelve actions of about 90 characters, the most a pledge
// offers.
var longActions = []string{
	"Không bao giờ chia sẻ mật khẩu hay mã OTP của mình với bất kỳ ai, kể cả bạn thân nhất lớp",
	"Hỏi bố mẹ, thầy cô hoặc người lớn tin cậy ngay khi thấy điều gì lạ hay đáng sợ trên mạng",
	"Không gửi ảnh, địa chỉ nhà, tên trường hay số điện thoại cho người chỉ quen qua mạng xã hội",
	"Tôn trọng bạn bè khi bình luận, không chế giễu, không chia sẻ tin đồn hay ảnh của người khác",
	"Không gặp riêng người quen trên mạng khi chưa hỏi ý kiến và chưa có người lớn đi cùng mình",
	"Chặn và báo cáo tài khoản bắt nạt, đe doạ hay đòi hỏi điều làm mình thấy khó chịu, sợ hãi",
	"Nghỉ ngơi, ra ngoài chơi và đặt điện thoại xuống trước giờ đi ngủ ít nhất một tiếng mỗi tối",
	"Kiểm tra kỹ đường link trước khi bấm, không tải ứng dụng lạ và không nhập mã vào trang lạ",
	"Giữ bí mật mã PIN, không đăng nhập tài khoản của mình trên máy tính chung ở trường hay quán",
	"Đứng về phía bạn bị bắt nạt: nhắn tin động viên bạn và kể cho người lớn để cùng giúp đỡ",
	"Nghĩ kỹ trước khi đăng: điều gì đã lên mạng rồi thì rất khó xoá đi, kể cả ở chế độ riêng tư",
	"Nhớ rằng mình không một mình: luôn có người sẵn sàng lắng nghe và giúp đỡ mình bất cứ lúc nào",
}

// name40 is a name of exactly 40 characters.
const name40 = "Tôn Nữ Hoàng Thị Phương Quỳnh Anh Đức Mỹ"

// Vietnamese vowels and the combining marks of the five tones.
const (
	viVowels = "aăâeêioôơuưy"
	viTones  = "\u0300\u0301\u0309\u0303\u0323" // huyền, sắc, hỏi, ngã, nặng
)

// vietnameseLetters returns every Vietnamese vowel with every tone (and
// none), in both cases, and đ Đ, each precomposed as NFC writes it.
func vietnameseLetters(t testing.TB) []string {
	var out []string
	for _, v := range viVowels {
		for _, base := range []string{string(v), strings.ToUpper(string(v))} {
			out = append(out, base)
			for _, tone := range viTones {
				s := norm.NFC.String(base + string(tone))
				if utf8.RuneCountInString(s) != 1 {
					t.Fatalf("%q + U+%04X does not compose to one character", base, tone)
				}
				out = append(out, s)
			}
		}
	}
	return append(out, "đ", "Đ")
}

type testCard struct {
	name string
	card Card
}

// testCards covers the names and texts a souvenir must cope with.
func testCards(t testing.TB) []testCard {
	var cards []testCard
	with := func(name string, f func(*Card)) {
		c := viCard()
		f(&c)
		cards = append(cards, testCard{name, c})
	}
	cards = append(cards, testCard{"vi", viCard()}, testCard{"en", enCard()})
	for _, n := range []string{
		"Đức", "Phúc", "Trần Văn Hùng", "Lê Thị Hồng Nhung", "Phạm Ngọc Ánh", "Hoàng Minh Khôi",
		"Võ Thị Mỹ Duyên", "Đặng Quốc Việt", "Bùi Thị Thuỷ", "Đỗ Hữu Lộc", "Huỳnh Gia Bảo", "Ngô Thị Ẩn",
	} {
		with("name "+n, func(c *Card) { c.Name = n })
	}
	// One name per tone: every vowel carrying it, in both cases.
	for i, tone := range []rune("\x00" + viTones) {
		var lower, upper strings.Builder
		for _, v := range viVowels {
			s := string(v)
			if tone != 0 {
				s += string(tone)
			}
			lower.WriteString(norm.NFC.String(s))
			upper.WriteString(norm.NFC.String(strings.ToUpper(string(v)) + strings.TrimPrefix(s, string(v))))
		}
		n := lower.String() + " " + upper.String() + " đĐ"
		with("tone "+string(rune('0'+i)), func(c *Card) { c.Name = n })
	}
	with("40 characters", func(c *Card) { c.Name = name40 })
	with("no name", func(c *Card) { c.Name = "" })
	with("online", func(c *Card) { c.Event = "" })
	with("one action", func(c *Card) { c.Actions = c.Actions[:1] })
	with("12 long actions", func(c *Card) { c.Name = name40; c.Actions = longActions })
	with("12 long actions, no name", func(c *Card) { c.Name = ""; c.Actions = longActions })
	// Every text at its limit, in wide capitals.
	with("limits", func(c *Card) {
		wide := func(n int) string { return truncRunes(strings.Repeat("ĐƯỜNG MỚI ", n/10+1), n) }
		c.Name = wide(maxNameRunes)
		c.Heading = wide(maxHeadingRunes)
		c.Date = wide(maxDateRunes)
		c.Event = wide(maxEventRunes)
		c.Campaign = wide(maxCampaignRunes)
		c.ScanHint = wide(maxHintRunes)
		c.Actions = nil
		for range maxActions {
			c.Actions = append(c.Actions, wide(maxActionRunes))
		}
		c.VerifyURL = "https://notalone.example/p/" + strings.Repeat("x", maxURLBytes-len("https://notalone.example/p/"))
	})
	return cards
}

// truncRunes returns s cut to n characters, without a trailing space.
func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return strings.TrimSpace(string(r))
}

// writeSample saves a rendering when -souvenir.samples is given.
func writeSample(t *testing.T, name, ext string, b []byte) {
	if *samples == "" {
		return
	}
	if err := os.MkdirAll(*samples, 0o755); err != nil {
		t.Fatal(err)
	}
	f := strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' || r == ',' {
			return '_'
		}
		return r
	}, name)
	if err := os.WriteFile(filepath.Join(*samples, f+ext), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVietnameseGlyphs(t *testing.T) {
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	letters := vietnameseLetters(t)
	if len(letters) != 12*2*6+2 {
		t.Fatalf("%d letters, want %d", len(letters), 12*2*6+2)
	}
	for _, bold := range []bool{false, true} {
		for _, l := range letters {
			r, _ := utf8.DecodeRuneInString(l)
			if gi, err := fs.font(bold).GlyphIndex(nil, r); err != nil || gi == 0 {
				t.Errorf("bold=%v: no glyph for %q (U+%04X)", bold, l, r)
			}
		}
	}
}

func TestRender(t *testing.T) {
	for _, tc := range testCards(t) {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PNG(tc.card)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(p))
			if err != nil {
				t.Fatalf("decode PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 1080 || b.Dy() != 1350 {
				t.Errorf("PNG is %v, want 1080×1350", b.Size())
			}
			writeSample(t, tc.name, ".png", p)

			d, err := PDF(tc.card)
			if err != nil {
				t.Fatalf("PDF: %v", err)
			}
			if !bytes.HasPrefix(d, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimSpace(d), []byte("%%EOF")) {
				t.Errorf("PDF does not look like one: %q…", d[:min(len(d), 20)])
			}
			// A6 portrait in points, as fpdf writes the MediaBox.
			if !bytes.Contains(d, []byte("/MediaBox [0 0 297.64 419.53]")) {
				t.Errorf("PDF has no A6 MediaBox")
			}
			writeSample(t, tc.name, ".pdf", d)
		})
	}
}

// inkBox is where a line's glyphs put ink, in design pixels.
type inkBox struct{ x0, y0, x1, y1 float64 }

func (a inkBox) overlaps(b inkBox) bool {
	return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
}

// testFaces measures with faces of its own, independent of the renderer's.
type testFaces map[faceKey]font.Face

func (f testFaces) face(t *testing.T, fs *fontSet, bold bool, size float64) font.Face {
	k := faceKey{bold, size}
	if f[k] == nil {
		fc, err := opentype.NewFace(fs.font(bold), &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			t.Fatal(err)
		}
		f[k] = fc
	}
	return f[k]
}

// checkSheet checks a PNG layout against the fonts: every line's ink lies
// within the margins, inside the header band or between it and the
// footer band, clear of the QR code and of every other line.
func checkSheet(t *testing.T, sh *sheet, fs *fontSet) {
	t.Helper()
	tf := testFaces{}
	qr := inkBox{sh.qr.x - qrFrame, sh.qr.y - qrFrame, sh.qr.x + sh.qr.size + qrFrame, sh.qr.y + sh.qr.size + qrFrame}
	var boxes []inkBox
	for _, l := range sh.texts {
		fc := tf.face(t, fs, l.bold, l.size)
		w := float64(font.MeasureString(fc, l.s)) / 64
		if l.x < sh.margin-0.5 || l.x+w > sh.w-sh.margin+0.5 {
			t.Errorf("%q (%.0fpx) runs from x=%.1f to %.1f, outside the margins [%.0f, %.0f]", l.s, l.size, l.x, l.x+w, sh.margin, sh.w-sh.margin)
		}
		b, _ := font.BoundString(fc, l.s)
		box := inkBox{l.x + float64(b.Min.X)/64, l.y + float64(b.Min.Y)/64, l.x + float64(b.Max.X)/64, l.y + float64(b.Max.Y)/64}
		inBand := box.y0 >= 0 && box.y1 <= bandHeight
		inBody := box.y0 >= bandHeight+stripe && box.y1 <= sh.h-footBand
		if !inBand && !inBody {
			t.Errorf("%q: ink from y=%.1f to %.1f crosses a band edge", l.s, box.y0, box.y1)
		}
		if box.overlaps(qr) {
			t.Errorf("%q overlaps the QR code", l.s)
		}
		for i, o := range boxes {
			if box.overlaps(o) {
				t.Errorf("%q overlaps %q", l.s, sh.texts[i].s)
			}
		}
		boxes = append(boxes, box)
	}
}

// actionLines returns the lines of the actions: the ink-coloured text
// above the QR code.
func actionLines(sh *sheet) []textLine {
	var out []textLine
	for _, l := range sh.texts {
		if l.color == ink && l.y < sh.qr.y {
			out = append(out, l)
		}
	}
	return out
}

func pngLayout(t *testing.T, c Card) *sheet {
	t.Helper()
	c, err := c.clean()
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := layout(c, pngHeight, newFaces(fs), fs)
	if err != nil {
		t.Fatalf("layout: %v", err)
	}
	return sh
}

func TestLayoutFits(t *testing.T) {
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range testCards(t) {
		t.Run(tc.name, func(t *testing.T) {
			sh := pngLayout(t, tc.card)
			checkSheet(t, sh, fs)

			// Every action is there, whole, and nothing else.
			var got []string
			for _, l := range actionLines(sh) {
				got = append(got, l.s)
			}
			c, _ := tc.card.clean()
			if g, w := strings.Join(got, " "), strings.Join(c.Actions, " "); g != w {
				t.Errorf("action lines read\n%s\nwant\n%s", g, w)
			}
			// The name is shown exactly as given, or not at all.
			var found bool
			for _, l := range sh.texts {
				found = found || c.Name != "" && strings.Contains(l.s, strings.Fields(c.Name)[0])
			}
			if found != (c.Name != "") {
				t.Errorf("name %q shown = %v", c.Name, found)
			}
		})
	}
}

func TestLayoutWrapsAndShrinks(t *testing.T) {
	short := pngLayout(t, viCard())
	c := viCard()
	c.Name, c.Actions = name40, longActions
	long := pngLayout(t, c)

	sa, la := actionLines(short), actionLines(long)
	if len(sa) <= len(viCard().Actions) {
		t.Errorf("3 actions take %d lines; want the longest wrapped at the largest size", len(sa))
	}
	if la[0].size >= sa[0].size {
		t.Errorf("12 long actions are set at %.0fpx, 3 short ones at %.0fpx: want smaller", la[0].size, sa[0].size)
	}
	if la[0].size < 13 {
		t.Errorf("12 long actions are set at %.0fpx, too small to read", la[0].size)
	}
	// A 40-character name does not fit at the largest size on one line.
	sizeOf := func(sh *sheet, s string) float64 {
		for _, l := range sh.texts {
			if strings.HasPrefix(s, l.s) {
				return l.size
			}
		}
		t.Fatalf("%q not found", s)
		return 0
	}
	if sizeOf(long, name40) >= sizeOf(short, viCard().Name) {
		t.Errorf("40-character name not set smaller than a short one")
	}
}

func TestPDFLayoutFits(t *testing.T) {
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range testCards(t) {
		c, err := tc.card.clean()
		if err != nil {
			t.Fatal(err)
		}
		doc := newDoc(c)
		k := cardWidth / designWidth
		sh, err := layout(c, cardHeight/k, pdfMeasure{doc, k}, fs)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, l := range sh.texts {
			w := pdfMeasure{doc, k}.width(l.bold, l.size, l.s)
			if l.x < sh.margin-0.5 || l.x+w > sh.w-sh.margin+0.5 {
				t.Errorf("%s: %q runs from x=%.1f to %.1f, outside the margins", tc.name, l.s, l.x, l.x+w)
			}
			if l.y-fs.ascent*l.size < 0 || l.y+fs.descent*l.size > sh.h-footBand {
				t.Errorf("%s: %q off the page at y=%.1f", tc.name, l.s, l.y)
			}
		}
	}
}

func TestCleanRejects(t *testing.T) {
	tooMany := make([]string, maxActions+1)
	for i := range tooMany {
		tooMany[i] = "x"
	}
	for name, f := range map[string]func(*Card){
		"no actions":    func(c *Card) { c.Actions = nil },
		"13 actions":    func(c *Card) { c.Actions = tooMany },
		"empty action":  func(c *Card) { c.Actions = []string{"a", " "} },
		"41-char name":  func(c *Card) { c.Name = name40 + "a" },
		"no URL":        func(c *Card) { c.VerifyURL = "" },
		"long URL":      func(c *Card) { c.VerifyURL = testURL + strings.Repeat("x", maxURLBytes) },
		"invalid UTF-8": func(c *Card) { c.Name = "\xff" },
	} {
		c := viCard()
		f(&c)
		if _, err := PNG(c); err == nil || !strings.HasPrefix(err.Error(), "souvenir png: ") {
			t.Errorf("%s: PNG error = %v, want one starting souvenir png:", name, err)
		}
		if _, err := PDF(c); err == nil || !strings.HasPrefix(err.Error(), "souvenir pdf: ") {
			t.Errorf("%s: PDF error = %v, want one starting souvenir pdf:", name, err)
		}
	}
	// Decomposed input is composed, and a pasted newline becomes a space.
	c := viCard()
	c.Name = norm.NFD.String("Ngọc\nÁnh")
	got, err := c.clean()
	if err != nil || got.Name != "Ngọc Ánh" {
		t.Errorf("clean name = %q, %v; want %q", got.Name, err, "Ngọc Ánh")
	}
}

// TestPalette checks that the paletted PNG shows the picture as drawn:
// every pixel within a few levels of its colour before quantising. A shape
// or text in a new pair of colours, missing from edgePairs, fails here.
func TestPalette(t *testing.T) {
	pal := palette()
	if len(pal) > 256 {
		t.Fatalf("palette has %d colours, want at most 256", len(pal))
	}
	fs, err := fonts()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range testCards(t) {
		sh := pngLayout(t, tc.card)
		faces := newFaces(fs)
		img := image.NewRGBA(image.Rect(0, 0, designWidth, pngHeight))
		if err := drawSheet(img, sh, faces); err != nil {
			t.Fatal(err)
		}
		q := quantise(img, pal)
		worst := 0
		for i, idx := range q.Pix {
			c := pal[idx].(color.RGBA)
			for j, v := range []uint8{c.R, c.G, c.B} {
				worst = max(worst, abs(int(v)-int(img.Pix[4*i+j])))
			}
		}
		if worst > 8 {
			t.Errorf("%s: a pixel is %d levels off its colour after quantising", tc.name, worst)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// decodeQR reads the one QR code in img.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}

func qrCards(t *testing.T) []testCard {
	var out []testCard
	for _, tc := range testCards(t) {
		switch tc.name {
		case "vi", "en", "12 long actions", "limits":
			out = append(out, tc)
		}
	}
	return out
}

func TestPNGQRCode(t *testing.T) {
	for _, tc := range qrCards(t) {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PNG(tc.card)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeQR(t, img); got != tc.card.VerifyURL {
				t.Errorf("QR code reads %q, want %q", got, tc.card.VerifyURL)
			}
		})
	}
}

// TestPDFWithPoppler rasterises the card at print resolution and reads the
// QR code from the raster, and extracts the text: the name must come out
// with its diacritics, which needs the fonts' ToUnicode maps.
func TestPDFWithPoppler(t *testing.T) {
	pdftoppm, pdftotext := testenv.Poppler(t)
	for _, tc := range qrCards(t) {
		t.Run(tc.name, func(t *testing.T) {
			d, err := PDF(tc.card)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			in := filepath.Join(dir, "card.pdf")
			if err := os.WriteFile(in, d, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(pdftoppm, "-r", "300", "-png", "-singlefile", in, filepath.Join(dir, "card")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			f, err := os.Open(filepath.Join(dir, "card.png"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			// 105×148 mm at 300 dpi is 1240×1748 pixels, which pdftoppm
			// rounds up.
			if b := img.Bounds(); b.Dx() < 1240 || b.Dx() > 1241 || b.Dy() < 1748 || b.Dy() > 1749 {
				t.Errorf("raster is %v, want 1240×1748", b.Size())
			}
			if got := decodeQR(t, img); got != tc.card.VerifyURL {
				t.Errorf("QR code reads %q, want %q", got, tc.card.VerifyURL)
			}

			out, err := exec.Command(pdftotext, "-enc", "UTF-8", in, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			for _, want := range []string{tc.card.Name, tc.card.Actions[0], tc.card.Campaign} {
				if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
					t.Errorf("pdftotext output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestPure checks that a souvenir depends on its card alone, also when
// rendered concurrently.
func TestPure(t *testing.T) {
	c := viCard()
	wantPNG, err := PNG(c)
	if err != nil {
		t.Fatal(err)
	}
	wantPDF, err := PDF(c)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if p, err := PNG(c); err != nil || !bytes.Equal(p, wantPNG) {
				t.Errorf("PNG differs between renders (err %v)", err)
			}
			if p, err := PDF(c); err != nil || !bytes.Equal(p, wantPDF) {
				t.Errorf("PDF differs between renders (err %v)", err)
			}
		})
	}
	wg.Wait()
}
