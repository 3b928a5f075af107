//go:build linux

package session

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The server's side of the files: what a DLL writes goes to the file, and sync writes it
// to the destination, calling before once.
func TestOutputSync(t *testing.T) {
	var out, errb bytes.Buffer
	o, err := newOutput(t.TempDir(), &out, &errb)
	if err != nil {
		t.Fatal(err)
	}
	hooks := 0
	o.before = func() { hooks++ }
	args := o.args()
	if len(args) != 4 || args[0] != "--stdout" || args[2] != "--stderr" || !strings.HasPrefix(args[1], `Z:\`) {
		t.Fatalf("args %q", args)
	}
	// What the server opens: the same files, by their paths.
	w1, err := os.OpenFile(o.streams[0].path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := os.OpenFile(o.streams[1].path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	o.before = func() { hooks++ }
	o.sync()
	if hooks != 0 || out.Len() != 0 {
		t.Fatalf("nothing written, but hooks=%d out=%q", hooks, out.String())
	}
	for i := 0; i < 3; i++ {
		w1.WriteString("out\n")
		w2.WriteString("err\n")
		o.sync()
		if want := strings.Repeat("out\n", i+1); out.String() != want {
			t.Fatalf("out %q, want %q", out.String(), want)
		}
		if want := strings.Repeat("err\n", i+1); errb.String() != want {
			t.Fatalf("err %q, want %q", errb.String(), want)
		}
	}
	if hooks != 3 {
		t.Fatalf("before ran %d times, want 3", hooks)
	}
	// Big output: more than the read buffer, and past the point where space is given back.
	big := bytes.Repeat([]byte("0123456789abcdef"), (punchEvery+100000)/16)
	w1.Write(big)
	out.Reset()
	o.sync()
	if !bytes.Equal(out.Bytes(), big) {
		t.Fatalf("big output: %d bytes, want %d", out.Len(), len(big))
	}
	if o.streams[0].punched == 0 {
		t.Error("no space given back after more than punchEvery bytes")
	}
	w1.WriteString("last")
	out.Reset()
	w1.Close()
	w2.Close()
	o.close() // what is left is written, even without an event read first
	if out.String() != "last" {
		t.Fatalf("at close: %q", out.String())
	}
	o.close() // twice is harmless
}

func TestOutputNone(t *testing.T) {
	o, err := newOutput(t.TempDir(), nil, nil)
	if o != nil || err != nil {
		t.Fatalf("%v %v", o, err)
	}
	o.sync() // a nil output does nothing
	o.started()
	o.close()
	if o.args() != nil {
		t.Fatal("args of no output")
	}
}

// BenchmarkOutputSyncIdle is what every request pays when the DLL wrote nothing.
func BenchmarkOutputSyncIdle(b *testing.B) {
	o, err := newOutput(b.TempDir(), &bytes.Buffer{}, &bytes.Buffer{})
	if err != nil {
		b.Fatal(err)
	}
	defer o.close()
	for i := 0; i < b.N; i++ {
		o.sync()
	}
}
