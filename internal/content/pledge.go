package content

import (
	"io/fs"

	"github.com/notalone/notalone/internal/pledge"
)

// pledgeFile is pledge.yaml: the actions a visitor can pledge, in order.
type pledgeFile struct {
	Options []pledge.Option `yaml:"options"`
}

// minPledgeOptions is how many actions the pledge offers at least, so
// every visitor finds one that fits them.
const minPledgeOptions = 10

// MaxPledgeOptionRunes bounds an option's text: it must fit one line of a
// souvenir card and a tap target on a phone.
const MaxPledgeOptionRunes = 100

func loadPledge(fsys fs.FS, file string, out *[]pledge.Option) Problems {
	var f pledgeFile
	if ps := decode(fsys, file, &f); ps != nil {
		return ps
	}
	c := &checker{file: file}
	seen := map[string]bool{}
	offered := 0
	for i := range f.Options {
		c.pledgeOption(&f.Options[i], seen)
		if !f.Options[i].Retired {
			offered++
		}
	}
	if offered < minPledgeOptions {
		c.add("", "options", "at least %d options must be offered (not retired); found %d", minPledgeOptions, offered)
	}
	*out = f.Options
	return c.problems
}

func (c *checker) pledgeOption(o *pledge.Option, seen map[string]bool) {
	c.id(o.ID, seen)
	c.text(o.ID, "text", o.Text, false, MaxPledgeOptionRunes)
}

// CheckPledgeOption validates one option as edited in the console.
func CheckPledgeOption(o pledge.Option) Problems {
	c := &checker{file: "console"}
	c.pledgeOption(&o, map[string]bool{})
	return c.problems
}
