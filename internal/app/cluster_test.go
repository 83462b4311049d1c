package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/notalone/notalone/internal/apptest"
)

// TestTwoInstancesOnPostgreSQL starts two serve instances on one PostgreSQL
// database and shows a live event published on one reaching a subscriber
// on the other.
func TestTwoInstancesOnPostgreSQL(t *testing.T) {
	instances := apptest.StartCluster(t, 2)
	a, b := instances[0], instances[1]
	for _, in := range instances {
		res, err := http.Get(in.URL + "/readyz")
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("instance %s not ready: %v %v", in.URL, res, err)
		}
		res.Body.Close()
	}
	subB := b.Broker.Subscribe("pledges")
	defer subB.Close()
	subA := a.Broker.Subscribe("pledges")
	defer subA.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Broker.Publish(ctx, "pledges", []byte(`{"total":1}`)); err != nil {
		t.Fatal(err)
	}
	for name, sub := range map[string]<-chan []byte{"other instance": subB.C, "same instance": subA.C} {
		select {
		case got := <-sub:
			if string(got) != `{"total":1}` {
				t.Errorf("%s received %q", name, got)
			}
		case <-ctx.Done():
			t.Fatalf("%s did not receive the event", name)
		}
	}
	live, err := a.DB.Instances(ctx, time.Now().Add(-time.Minute))
	if err != nil || len(live) != 2 {
		t.Errorf("instances seen = %d (%v), want 2", len(live), err)
	}
}
