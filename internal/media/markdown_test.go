package media

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	tagRE  = regexp.MustCompile(`<(/?)([^\s>/]+)([^>]*)>`)
	attrRE = regexp.MustCompile(`\s([^\s=]+)="([^"]*)"`)
)

// checkSafe parses the output of RenderMarkdown the way an attacker hopes
// a browser will, and fails on anything outside the allow-list: a tag, an
// attribute (so any on… handler), a link scheme, a picture source, or a
// stray quote or angle bracket that could start one.
func checkSafe(t *testing.T, src, out string) {
	t.Helper()
	tags := map[string]bool{"p": true, "br": true, "hr": true, "h1": true, "h2": true, "h3": true, "h4": true,
		"h5": true, "h6": true, "em": true, "strong": true, "blockquote": true, "pre": true, "code": true,
		"ul": true, "ol": true, "li": true, "a": true, "img": true}
	attrs := map[string]bool{"href": true, "title": true, "rel": true, "src": true, "alt": true, "class": true, "start": true}
	media := regexp.MustCompile(mediaSrc)
	for _, m := range tagRE.FindAllStringSubmatch(out, -1) {
		name, rest := m[2], m[3]
		if !tags[name] {
			t.Errorf("RenderMarkdown(%q) = %q: tag <%s>", src, out, name)
		}
		if m[1] == "/" && rest != "" {
			t.Errorf("RenderMarkdown(%q) = %q: closing tag with %q", src, out, rest)
		}
		left := attrRE.ReplaceAllString(rest, "")
		if strings.TrimSpace(left) != "" {
			t.Errorf("RenderMarkdown(%q) = %q: unparsed %q in <%s>", src, out, left, name)
		}
		for _, a := range attrRE.FindAllStringSubmatch(rest, -1) {
			key, val := a[1], html.UnescapeString(a[2])
			if !attrs[key] {
				t.Errorf("RenderMarkdown(%q) = %q: attribute %s", src, out, key)
			}
			switch key {
			case "href":
				u, err := url.Parse(val)
				if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
					t.Errorf("RenderMarkdown(%q) = %q: href %q", src, out, val)
				}
			case "src":
				if !media.MatchString(val) {
					t.Errorf("RenderMarkdown(%q) = %q: src %q", src, out, val)
				}
			case "rel":
				if val != linkRel {
					t.Errorf("RenderMarkdown(%q) = %q: rel %q", src, out, val)
				}
			}
		}
		if name == "a" && m[1] == "" && !strings.Contains(rest, `rel="`+linkRel+`"`) {
			t.Errorf("RenderMarkdown(%q) = %q: link without rel=%q", src, out, linkRel)
		}
	}
	text := tagRE.ReplaceAllString(out, "")
	if strings.ContainsAny(text, `<>"`) {
		t.Errorf("RenderMarkdown(%q) = %q: unescaped markup in the text %q", src, out, text)
	}
}

// attacks are stories written to get a script, a frame, a style or a
// request to another host into the page.
var attacks = []string{
	"<script>alert(1)</script>",
	"<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
	"<img src=x onerror=alert(1)>",
	"<img src=/media/a.jpg onerror=alert(1)>",
	"<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
	"<svg/onload=alert(1)>",
	"<svg><script>alert(1)</script></svg>",
	"<body onload=alert(1)>",
	"<div style=\"background:url(javascript:alert(1))\">x</div>",
	"<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">click</a>",
	"<a href=\"javascript:alert(1)\">click</a>",
	"<iframe src=\"https://evil.example\"></iframe>",
	"<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
	"<style>body{display:none}</style>",
	"<link rel=stylesheet href=//evil.example/x.css>",
	"<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
	"<object data=x.swf></object><embed src=x.swf>",
	"<form action=//evil.example><input name=p></form>",
	"<base href=//evil.example/>",
	"<details open ontoggle=alert(1)>",
	"<!-- <script>alert(1)</script> -->",
	"<![CDATA[<script>alert(1)</script>]]>",
	"Inline <b onmouseover=alert(1)>bold</b> html.",
	"`<script>` in code and <span>raw</span>",
	"[click](javascript:alert(1))",
	"[click](JaVaScRiPt:alert(1))",
	"[click](&#106;avascript:alert(1))",
	"[click](&#x6A;&#x61;vascript:alert(1))",
	"[click](<javascript:alert(1)>)",
	"[click](< javascript:alert(1)>)",
	"[click](vbscript:msgbox(1))",
	"[click](data:text/html;base64,PHNjcmlwdD4=)",
	"[click](data:image/png;base64,AAAA)",
	"[click](file:///etc/passwd)",
	"<javascript:alert(1)>",
	"<data:text/html,x>",
	"[ref]: javascript:alert(1)\n\n[click][ref]",
	"[click](https://ok.example\" onclick=\"alert(1))",
	"[click](https://ok.example \"title\\\" onclick=\\\"alert(1)\")",
	"![pic](https://evil.example/track.png)",
	"![pic](//evil.example/track.png)",
	"![pic](http://localhost/media/a.jpg)",
	"![pic](/media/../staff/logout)",
	"![pic](/media/%2e%2e/staff)",
	"![pic](/media/a.jpg?x=1)",
	"![pic](/mediafoo/a.jpg)",
	"![pic](javascript:alert(1))",
	"![pic](data:image/svg+xml,<svg onload=alert(1)>)",
	"![pic\" onerror=\"alert(1)](/media/a.jpg)",
	"![pic](/media/a.jpg \"t\\\" onerror=\\\"alert(1)\")",
	"[![pic](https://evil.example/x.png)](javascript:alert(1))",
	"```html\n<script>alert(1)</script>\n```",
	"```\" onclick=\"alert(1)\nx\n```",
	"    <script>alert(1)</script>",
	"> <script>alert(1)</script>",
	"- <iframe src=x></iframe>",
	"\\<script\\>alert(1)\\</script\\>",
	"&lt;script&gt;alert(1)&lt;/script&gt;",
	"<scr<script>ipt>alert(1)</scr</script>ipt>",
}

func TestRenderMarkdownAttacks(t *testing.T) {
	for _, src := range attacks {
		out := string(RenderMarkdown(src))
		checkSafe(t, src, out)
		for _, tag := range tagRE.FindAllString(out, -1) {
			// Outside attribute values (which checkSafe has read), no
			// element or attribute name from the attack survives.
			skeleton := strings.ToLower(attrRE.ReplaceAllString(tag, ` $1=""`))
			for _, bad := range []string{"<script", "<iframe", "<style", "<svg", " on", "srcdoc", "style="} {
				if strings.Contains(skeleton, bad) {
					t.Errorf("RenderMarkdown(%q) = %q: %q in %q", src, out, bad, tag)
				}
			}
			for _, a := range attrRE.FindAllStringSubmatch(tag, -1) {
				val := strings.ToLower(html.UnescapeString(a[2]))
				if (a[1] == "href" || a[1] == "src") && (strings.Contains(val, "script:") || strings.Contains(val, "data:") || strings.Contains(val, "evil.example")) {
					t.Errorf("RenderMarkdown(%q) = %q: %s=%q", src, out, a[1], val)
				}
			}
		}
	}
}

func TestRenderMarkdownKeepsStories(t *testing.T) {
	tests := []struct{ src, want string }{
		{"# Câu chuyện của em\n\n## Phần 1", "<h1>Câu chuyện của em</h1>\n<h2>Phần 1</h2>\n"},
		{"Em *không* **một mình**.", "<p>Em <em>không</em> <strong>một mình</strong>.</p>\n"},
		{"- một\n- hai", "<ul>\n<li>một</li>\n<li>hai</li>\n</ul>\n"},
		{"3. ba\n4. bốn", "<ol start=\"3\">\n<li>ba</li>\n<li>bốn</li>\n</ol>\n"},
		{"> Hãy nói với người lớn.", "<blockquote>\n<p>Hãy nói với người lớn.</p>\n</blockquote>\n"},
		{"Gọi `111` ngay.", "<p>Gọi <code>111</code> ngay.</p>\n"},
		{"```go\nx := 1\n```", "<pre><code class=\"language-go\">x := 1\n</code></pre>\n"},
		{"a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},
		{"Đọc [hướng dẫn](https://example.org/a?b=1&c=2 \"Tựa\").",
			"<p>Đọc <a href=\"https://example.org/a?b=1&amp;c=2\" title=\"Tựa\" rel=\"nofollow noopener\">hướng dẫn</a>.</p>\n"},
		{"[Trợ giúp](/help)", "<p><a href=\"/help\" rel=\"nofollow noopener\">Trợ giúp</a></p>\n"},
		{"<https://example.org>", "<p><a href=\"https://example.org\" rel=\"nofollow noopener\">https://example.org</a></p>\n"},
		{"<hello@example.org>", "<p><a href=\"mailto:hello@example.org\" rel=\"nofollow noopener\">hello@example.org</a></p>\n"},
		{"[Thư](mailto:hello@example.org)", "<p><a href=\"mailto:hello@example.org\" rel=\"nofollow noopener\">Thư</a></p>\n"},
		{"![Em và bạn](/media/" + strings.Repeat("ab", 32) + ".jpg \"Ảnh\")",
			"<p><img src=\"/media/" + strings.Repeat("ab", 32) + ".jpg\" alt=\"Em và bạn\" title=\"Ảnh\"></p>\n"},
		{"dòng 1  \ndòng 2", "<p>dòng 1<br>\ndòng 2</p>\n"},
		{"1 < 2 & 3 > 2", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>\n"},
		// What is refused becomes its text, not an empty element.
		{"[bấm](javascript:alert(1))", "<p>bấm</p>\n"},
		{"![ảnh](https://evil.example/x.png)", "<p>ảnh</p>\n"},
		{"<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"Có <b>HTML</b> thô", "<p>Có HTML thô</p>\n"},
	}
	for _, tt := range tests {
		got := string(RenderMarkdown(tt.src))
		if got != tt.want {
			t.Errorf("RenderMarkdown(%q) = %q, want %q", tt.src, got, tt.want)
		}
		checkSafe(t, tt.src, got)
	}
}

func FuzzRenderMarkdown(f *testing.F) {
	for _, a := range attacks {
		f.Add(a)
	}
	f.Add("# t\n\n[a](https://x.example) ![b](/media/c.png)")
	f.Fuzz(func(t *testing.T, src string) {
		checkSafe(t, src, string(RenderMarkdown(src)))
	})
}

func TestKioskStoriesHaveNoLinks(t *testing.T) {
	src := "Call [111](tel:111), read [this](https://example.com/x) or [our help](/help). ![a](/media/" + strings.Repeat("a", 64) + ".png)"
	got := string(RenderMarkdownForKiosk(src))
	if strings.Contains(got, "<a") || !strings.Contains(got, "this") || !strings.Contains(got, "our help") || !strings.Contains(got, "<img") {
		t.Errorf("kiosk story = %q: want the text and picture, no links", got)
	}
	if web := string(RenderMarkdown(src)); !strings.Contains(web, `href="https://example.com/x"`) {
		t.Errorf("web story lost its link: %q", web)
	}
}
