package quiz

import (
	"reflect"
	"strconv"
	"strings"
)

// TextField is one visible bilingual text of an item, by its path (e.g.
// "options.1.feedback"), so an editor can list and change every text of
// any item type with one form.
type TextField struct {
	Path string
	Text Text
}

var textType = reflect.TypeFor[Text]()

// Texts lists every text of the item in order.
func (it *Item) Texts() []TextField {
	var out []TextField
	walkTexts(reflect.ValueOf(it).Elem(), "", func(path string, v reflect.Value) {
		out = append(out, TextField{Path: path, Text: v.Interface().(Text)})
	})
	return out
}

// SetText changes the text at path; false when there is none.
func (it *Item) SetText(path string, t Text) bool {
	found := false
	walkTexts(reflect.ValueOf(it).Elem(), "", func(p string, v reflect.Value) {
		if p == path {
			v.Set(reflect.ValueOf(t))
			found = true
		}
	})
	return found
}

func walkTexts(v reflect.Value, path string, fn func(string, reflect.Value)) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkTexts(v.Elem(), path, fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkTexts(v.Index(i), join(strconv.Itoa(i)), fn)
		}
	case reflect.Struct:
		if v.Type() == textType {
			fn(path, v)
			return
		}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			walkTexts(v.Field(i), join(name), fn)
		}
	}
}
