package httpcalltest

import (
	"sync"
	"testing"

	"github.com/onboard/onboard/internal/schema"
)

var prepareOnce sync.Map // *schema.Target -> *sync.Once

// Record builds a validated record of target from cell texts keyed by wire
// key, parsing each through its field's rules as intake and validation
// would. Every key must name a field of the target.
func Record(t testing.TB, target *schema.Target, texts map[string]string) schema.Record {
	t.Helper()
	once, _ := prepareOnce.LoadOrStore(target, &sync.Once{})
	var err error
	once.(*sync.Once).Do(func() { err = target.Prepare() })
	if err != nil {
		t.Fatalf("prepare %s: %v", target.ID, err)
	}
	rec := schema.NewRecord(target)
	for key, text := range texts {
		f := target.Field(key)
		if f == nil {
			t.Fatalf("%s has no field %q", target.ID, key)
		}
		v, p := f.Parse(text)
		if p != nil {
			t.Fatalf("%s field %s: %q: %s", target.ID, key, text, p.Message)
		}
		rec.Set(key, v)
	}
	return rec
}

// FullRecord is Record that also requires a value for every field of the
// target, so a field added to the description later fails the golden
// tests until their files cover it.
func FullRecord(t testing.TB, target *schema.Target, texts map[string]string) schema.Record {
	t.Helper()
	rec := Record(t, target, texts)
	for _, f := range target.Fields {
		if _, ok := texts[f.Key]; !ok {
			t.Errorf("full record of %s gives no value for field %s", target.ID, f.Key)
		}
	}
	return rec
}
