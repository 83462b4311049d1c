package media

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel of every link in a story: the campaign does not vouch
// for the pages young ambassadors link to (nofollow), and a linked page
// gets no handle on ours (noopener).
const linkRel = "nofollow noopener"

// markdown is the parser and the sanitiser, built once: both are immutable
// after construction and safe for concurrent use.
var markdown = sync.OnceValue(func() *renderer {
	md := goldmark.New(
		// CommonMark and nothing else. Not html.WithUnsafe: raw HTML in
		// the source is dropped, and goldmark empties javascript:, data:
		// and similar link destinations.
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(linkTransformer{media: regexp.MustCompile(mediaSrc)}, 100)),
		),
	)
	return &renderer{md: md, policy: storyPolicy(), kiosk: storyPolicyWithoutLinks()}
})

type renderer struct {
	md            goldmark.Markdown
	policy, kiosk *bluemonday.Policy
}

// MaxStorySize is the largest story source, in bytes, the library should
// accept when a story is saved: some inputs (thousands of unclosed "[a](")
// take goldmark time that grows with the square of their length, about
// 0.5 s at this size and 2 s at 80 KB on this project's machines. A story of
// this size is some 5,000 words.
const MaxStorySize = 32 << 10

// RenderMarkdown turns a story's Markdown into HTML that is safe to put in
// a page as it is: CommonMark without raw HTML, then sanitised with an
// allow-list (text structure, links to http, https, mailto or this site,
// each with rel="nofollow noopener", and pictures only from this site's
// /media/ files, so that a story cannot make a reader's browser call
// another host). Two layers, because a story is written by a child or a
// volunteer and shown to children: goldmark's escaping is the first, the
// sanitiser holds if a goldmark update or an extension lets something by.
// Render a story when it is saved and keep the HTML, rather than on every
// page view (see [MaxStorySize]).
func RenderMarkdown(src string) template.HTML {
	r := markdown()
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// Convert fails only if writing to the buffer fails; show
		// nothing rather than something half-rendered.
		return ""
	}
	return template.HTML(r.policy.SanitizeBytes(buf.Bytes()))
}

// RenderMarkdownForKiosk is RenderMarkdown without links (their text
// stays): a kiosk shows no way out of the campaign's pages.
func RenderMarkdownForKiosk(src string) template.HTML {
	r := markdown()
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return ""
	}
	return template.HTML(r.kiosk.SanitizeBytes(buf.Bytes()))
}

// mediaSrc matches the only picture addresses a story may use: a path
// under /media/ made of plain segments, so no other host (not even
// //host/...), no query, no escapes and no "..".
const mediaSrc = `^/media/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*(?:/[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)*$`

// storyPolicy is the sanitiser's allow-list: what CommonMark produces, less
// anything that could run a script, load from elsewhere or restyle a page.
func storyPolicy() *bluemonday.Policy {
	p := storyPolicyWithoutLinks()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	return p
}

// storyPolicyWithoutLinks is the allow-list less links (their text stays):
// a kiosk has no way out of the campaign's pages.
func storyPolicyWithoutLinks() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"em", "strong", "blockquote", "pre", "ul", "li")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowElements("ol")
	// Fenced code keeps its language as a class (no other class).
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+-]{1,32}$`)).OnElements("code")
	p.AllowElements("code")

	p.AllowAttrs("src").Matching(regexp.MustCompile(mediaSrc)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	return p
}

// linkTransformer keeps the links and pictures of a story that the
// sanitiser will let through, giving each link rel="nofollow noopener", and
// turns the others into their text: "[click](javascript:…)" reads "click",
// rather than becoming a link to nowhere or an empty picture.
type linkTransformer struct{ media *regexp.Regexp }

func (t linkTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	var drop []ast.Node
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !linkAllowed(string(n.Destination)) {
				drop = append(drop, n)
				break
			}
			n.SetAttributeString("rel", []byte(linkRel))
		case *ast.AutoLink:
			if n.AutoLinkType == ast.AutoLinkURL && !linkAllowed(string(n.URL(reader.Source()))) {
				drop = append(drop, n)
				break
			}
			n.SetAttributeString("rel", []byte(linkRel))
		case *ast.Image:
			if !t.media.Match(n.Destination) {
				drop = append(drop, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range drop {
		parent := n.Parent()
		if a, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(a.Label(reader.Source())))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// linkAllowed reports whether a story may link to dest: a web page, an
// e-mail address, or a page of this site. It reads dest as a browser
// would: character references decoded, leading and trailing spaces and
// control characters ignored (and url.Parse refuses any inside).
func linkAllowed(dest string) bool {
	dest = strings.TrimFunc(html.UnescapeString(dest), func(r rune) bool { return r <= ' ' })
	u, err := url.Parse(dest)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto", "":
		return true
	}
	return false
}
