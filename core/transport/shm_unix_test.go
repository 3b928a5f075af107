//go:build linux

package transport

import "testing"

func TestCreateShm(t *testing.T) {
	s, err := CreateShm(t.TempDir(), Layout{Mailboxes: 2, Capacity: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Attach(s.mem); err != nil {
		t.Fatal(err)
	}
}
