package session

import "testing"

func TestExceptionMessages(t *testing.T) {
	cases := []struct {
		e    ExceptionError
		want string
	}{
		{ExceptionError{Code: 0xC0000005, Info: [2]uint64{0, 0}, PtrSize: 8}, "exception: access violation reading 0x0000000000000000"},
		{ExceptionError{Code: 0xC0000005, Info: [2]uint64{1, 0xdeadbeef}, PtrSize: 4}, "exception: access violation writing 0xDEADBEEF"},
		{ExceptionError{Code: 0xC0000094}, "exception: integer divide by zero"},
		{ExceptionError{Code: 0xC00000FD}, "exception: stack overflow"},
		{ExceptionError{Code: 0xE0000001}, "exception code 0xe0000001"},
	}
	for _, c := range cases {
		if got := c.e.Error(); got != c.want {
			t.Errorf("%#x: %q, want %q", c.e.Code, got, c.want)
		}
	}
}
