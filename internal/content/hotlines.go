package content

import (
	"io/fs"
	"regexp"
)

// Hotlines is the hotlines pack: who to call, and where else to turn. Only
// facts from shared/CONTENT.md, each with its source.
type Hotlines struct {
	Hotlines  []Hotline  `yaml:"hotlines"`
	Resources []Resource `yaml:"resources"`
}

// Hotline is a phone number a child or parent can call.
type Hotline struct {
	ID          string `yaml:"id"`
	Number      string `yaml:"number"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description"`
	Also        Text   `yaml:"also"` // other ways to reach the same service
	Source      string `yaml:"source"`
}

// Resource is another place to turn (a website or a service), shown as text:
// kiosks have no outbound links.
type Resource struct {
	ID          string `yaml:"id"`
	Name        Text   `yaml:"name"`
	Description Text   `yaml:"description"`
	Source      string `yaml:"source"`
}

var phoneNumber = regexp.MustCompile(`^[0-9]{3,15}$`)

func loadHotlines(fsys fs.FS, file string, h *Hotlines) Problems {
	if ps := decode(fsys, file, h); ps != nil {
		return ps
	}
	c := &checker{file: file}
	if len(h.Hotlines) == 0 {
		c.add("", "hotlines", "at least one hotline is needed")
	}
	seen := map[string]bool{}
	for _, x := range h.Hotlines {
		c.id(x.ID, seen)
		if !phoneNumber.MatchString(x.Number) {
			c.add(x.ID, "number", "must be digits only, as dialled")
		}
		c.text(x.ID, "name", x.Name, false, 80)
		c.text(x.ID, "description", x.Description, false, 400)
		c.text(x.ID, "also", x.Also, true, 300)
		if x.Source == "" {
			c.add(x.ID, "source", "every fact needs a source")
		}
	}
	for _, x := range h.Resources {
		c.id(x.ID, seen)
		c.text(x.ID, "name", x.Name, false, 80)
		c.text(x.ID, "description", x.Description, false, 400)
		if x.Source == "" {
			c.add(x.ID, "source", "every fact needs a source")
		}
	}
	return c.problems
}
